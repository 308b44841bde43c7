// The account page: API keys, linked sign-ins, the data export and deleting the account.

import { alarm, call, forgetTokens, onSubmit, say, showProblem } from "./api.js";
import { api, button, byId, element, fillList, onClick, problemCode, problemText, showAnswer, when } from "./account_ui.js";

function keyItem(key) {
  const expiry = key.expires_at ? `expires ${when(key.expires_at)}` : "never expires";
  const about = `${key.prefix}… · ${key.scopes.join(", ")} · ${expiry} · last used ${when(key.last_used_at)}`;
  return element("li", {}, [
    element("div", {}, [
      element("strong", { text: key.name }),
      element("div", { className: "muted", text: about, "data-volatile": "" }),
    ]),
    button("Revoke", () => revokeKey(key)),
  ]);
}

export async function loadKeys() {
  const answer = await api("/auth/api-keys");
  if (!answer.ok) return alarm(problemText(answer.data, "Your API keys could not be loaded."));
  fillList(byId("api-keys-list"), byId("api-keys-empty"), answer.data, keyItem);
}

async function revokeKey(key) {
  const answer = await api(`/auth/api-keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
  if (!answer.ok && answer.status !== 404) return alarm(problemText(answer.data));
  await loadKeys();
  say(`The key “${key.name}” is revoked: it no longer works.`);
}

// The request body of the form, or the errors of its fields.
function keyRequest(form, fields) {
  const scopes = [...form.querySelectorAll('input[name="scopes"]:checked')].map((box) => box.value);
  const days = (fields.expires_in_days || "").trim();
  const errors = [];
  if (!scopes.length) errors.push({ field: "scope-choice", message: "Choose at least one scope." });
  if (days && !/^[0-9]+$/.test(days)) errors.push({ field: "expires_in_days", message: "A whole number of days." });
  const body = { name: fields.name.trim(), scopes };
  if (days) body.expires_in_days = Number(days);
  return { body, errors };
}

async function createKey(form, fields) {
  const { body, errors } = keyRequest(form, fields);
  if (errors.length) return showProblem(form, { errors });
  const answer = await api("/auth/api-keys", { method: "POST", body });
  if (!answer.ok) return showAnswer(form, answer.data);
  form.reset();
  const shown = byId("new-key-value");
  shown.value = answer.data.key;
  byId("new-key").hidden = false;
  await loadKeys();
  shown.focus();
  shown.select();
  say(`Your new key “${answer.data.name}” is shown once, below: copy it now.`);
}

async function copyKey() {
  const shown = byId("new-key-value");
  shown.select();
  try {
    await navigator.clipboard.writeText(shown.value);
    say("The key is copied.");
  } catch {
    say("The key is selected: copy it with Ctrl+C (⌘C on a Mac).");
  }
}

function forgetKey() {
  byId("new-key-value").value = "";
  byId("new-key").hidden = true;
  byId("api-key-name").focus();
}

let providers = [];

function providerName(name) {
  const provider = providers.find((candidate) => candidate.name === name);
  return provider ? provider.display_name : name;
}

function identityItem(identity) {
  const about = `${identity.email || "no email"} · linked ${when(identity.created_at)}`;
  const item = element("li", {}, [
    element("div", {}, [
      element("strong", { text: providerName(identity.provider) }),
      element("div", { className: "muted", text: about, "data-volatile": "" }),
    ]),
  ]);
  item.append(button("Unlink", () => unlink(identity, item)));
  return item;
}

export async function loadIdentities() {
  const [linked, offered] = await Promise.all([api("/auth/identities"), call("/auth/oauth/providers")]);
  providers = offered.ok ? offered.data : [];
  byId("providers").replaceChildren(
    ...providers.map((provider) => button(`Link a ${provider.display_name} account`, () => link(provider))),
  );
  if (!linked.ok) return alarm(problemText(linked.data, "Your linked sign-ins could not be loaded."));
  fillList(byId("identities-list"), byId("identities-empty"), linked.data, identityItem);
  // Without a provider to link and nothing linked, the section has nothing to offer.
  byId("identities").hidden = !providers.length && !linked.data.length;
}

async function link(provider) {
  const back = encodeURIComponent(`${location.origin}/account`);
  const path = `/auth/identities/${encodeURIComponent(provider.name)}/link?redirect_uri=${back}`;
  const answer = await api(path, { method: "POST" });
  if (!answer.ok) return alarm(problemText(answer.data));
  location.assign(answer.data.authorize_url);
}

async function unlink(identity, item) {
  const answer = await api(`/auth/identities/${encodeURIComponent(identity.id)}`, { method: "DELETE" });
  if (answer.ok || answer.status === 404) {
    await loadIdentities();
    return say(`Your ${providerName(identity.provider)} account is unlinked.`);
  }
  let message = problemText(answer.data);
  if (problemCode(answer.data) === "last_login_method") {
    message = `${providerName(identity.provider)} is your only way to sign in, so it stays linked. Set a password first (with "Forgot your password?" on the sign-in page).`;
  }
  for (const old of item.querySelectorAll(".field-error")) old.remove();
  item.append(element("p", { className: "field-error", text: message }));
  alarm(message);
}

const LINK_ERRORS = {
  identity_in_use: "that account at the provider is already linked to another account here.",
  access_denied: "the provider did not allow it.",
  invalid_state: "the link expired or was started elsewhere. Try again.",
};

// The outcome of a link, as the provider's round trip brings it back in the fragment.
export function announceLink(fragment) {
  if (fragment.has("linked")) say(`Your ${providerName(fragment.get("linked"))} account is now linked.`);
  else if (fragment.has("error")) {
    const code = fragment.get("error");
    alarm(`The account was not linked: ${LINK_ERRORS[code] || `the provider's answer was refused (${code}).`}`);
  }
}

async function download() {
  const answer = await api("/auth/me/export");
  if (!answer.ok) return alarm(problemText(answer.data, "Your data could not be exported."));
  const url = URL.createObjectURL(new Blob([JSON.stringify(answer.data, null, 2)], { type: "application/json" }));
  const anchor = element("a", { href: url, download: "account-data.json", hidden: "" });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  say("Your data is downloaded as account-data.json.");
}

async function deleteAccount(form, { password }) {
  const confirmed = byId("delete-confirm");
  if (!confirmed.checked) {
    showProblem(form, { errors: [{ field: "confirmation", message: "Tick this box to confirm." }] });
    return confirmed.focus();
  }
  const answer = await api("/auth/me", { method: "DELETE", body: { password } });
  if (!answer.ok) return showAnswer(form, answer.data);
  forgetTokens();
  location.assign("/register");
}

export function initAccess() {
  const keyForm = byId("api-key-form");
  onSubmit(keyForm, (fields) => createKey(keyForm, fields));
  onClick(byId("new-key-copy"), copyKey);
  byId("new-key-done").addEventListener("click", forgetKey);
  onClick(byId("export-download"), download);
  const deleteForm = byId("delete-form");
  onSubmit(deleteForm, (fields) => deleteAccount(deleteForm, fields));
}
