// The account page: the authenticator app (TOTP), recovery codes and passkeys.

import { alarm, createPasskey, onSubmit, say } from "./api.js";
import { api, button, byId, element, fillList, inlineForm, problemText, showAnswer, when } from "./account_ui.js";

let enrolling = false;

export async function loadFactors() {
  const answer = await api("/auth/mfa");
  if (!answer.ok) return alarm(problemText(answer.data, "Your second factors could not be loaded."));
  const { totp, recovery_codes_left: left } = answer.data;
  byId("mfa-state").textContent = totp
    ? `The authenticator app is on. Recovery codes left: ${left}.`
    : "The authenticator app is off.";
  byId("totp-setup-form").hidden = totp || enrolling;
  byId("totp-confirm-form").hidden = totp || !enrolling;
  byId("totp-disable-form").hidden = !totp;
  byId("recovery-form").hidden = !totp;
}

function showRecoveryCodes(codes, message) {
  byId("recovery-codes-list").replaceChildren(...codes.map((code) => element("li", { text: code })));
  byId("recovery-codes").hidden = false;
  say(`${message} Save your ${codes.length} recovery codes now: they are shown only this once.`);
}

function stopEnrolling() {
  enrolling = false;
  byId("totp-secret").textContent = "";
  byId("totp-qr").removeAttribute("src");
  byId("totp-qr").hidden = true;
}

async function setUp(form, { password }) {
  const answer = await api("/auth/mfa/totp/setup", { method: "POST", body: { password } });
  if (!answer.ok) return showAnswer(form, answer.data);
  form.reset();
  enrolling = true;
  const qr = byId("totp-qr");
  qr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(answer.data.qr_svg)}`;
  qr.hidden = false;
  byId("totp-secret").textContent = answer.data.secret;
  await loadFactors();
  byId("totp-confirm-code").focus();
  say("Scan the QR code with your authenticator app, then enter the code it shows.");
}

async function confirm(form, { code }) {
  const answer = await api("/auth/mfa/totp/confirm", { method: "POST", body: { code: code.trim() } });
  if (!answer.ok) return showAnswer(form, answer.data);
  form.reset();
  stopEnrolling();
  await loadFactors();
  showRecoveryCodes(answer.data.recovery_codes, "The authenticator app is on.");
}

async function turnOff(form, { password, code }) {
  const answer = await api("/auth/mfa/totp", { method: "DELETE", body: { password, code: code.trim() } });
  if (!answer.ok) return showAnswer(form, answer.data);
  form.reset();
  byId("recovery-codes").hidden = true;
  await loadFactors();
  say("The authenticator app is off, and its recovery codes no longer work.");
}

async function renewCodes(form, { password, code }) {
  const answer = await api("/auth/mfa/recovery-codes", { method: "POST", body: { password, code: code.trim() } });
  if (!answer.ok) return showAnswer(form, answer.data);
  form.reset();
  await loadFactors();
  showRecoveryCodes(answer.data.recovery_codes, "You have new recovery codes; the old ones no longer work.");
}

function passkeyItem(passkey) {
  const item = element("li", {}, [
    element("div", {}, [
      element("strong", { text: passkey.name }),
      element("div", {
        className: "muted",
        text: `added ${when(passkey.created_at)} · last used ${when(passkey.last_used_at)}`,
        "data-volatile": "",
      }),
    ]),
  ]);
  const rename = () =>
    inlineForm(item, {
      label: `New name for ${passkey.name}`,
      name: "name",
      value: passkey.name,
      submit: "Save name",
      handler: (fields, form) => renamePasskey(passkey, fields, form),
    });
  const remove = () =>
    inlineForm(item, {
      label: `Password to remove ${passkey.name}`,
      name: "password",
      type: "password",
      submit: "Remove passkey",
      danger: true,
      handler: (fields, form) => removePasskey(passkey, fields, form),
    });
  item.append(element("div", { className: "row" }, [button("Rename", rename), button("Remove", remove)]));
  return item;
}

export async function loadPasskeys() {
  const answer = await api("/auth/passkeys");
  if (!answer.ok) return alarm(problemText(answer.data, "Your passkeys could not be loaded."));
  fillList(byId("passkeys-list"), byId("passkeys-empty"), answer.data, passkeyItem);
}

async function renamePasskey(passkey, { name }, form) {
  const answer = await api(`/auth/passkeys/${encodeURIComponent(passkey.id)}`, { method: "PATCH", body: { name } });
  if (!answer.ok) return showAnswer(form, answer.data);
  await loadPasskeys();
  say(`The passkey is now called “${answer.data.name}”.`);
}

async function removePasskey(passkey, { password }, form) {
  const path = `/auth/passkeys/${encodeURIComponent(passkey.id)}`;
  const answer = await api(path, { method: "DELETE", body: { password } });
  if (!answer.ok) return showAnswer(form, answer.data);
  await Promise.all([loadPasskeys(), loadFactors()]);
  say(`The passkey “${passkey.name}” is removed.`);
}

async function addPasskey(form, { password, name }) {
  const started = await api("/auth/passkeys/register/options", { method: "POST", body: { password } });
  if (!started.ok) return showAnswer(form, started.data);
  let credential;
  try {
    credential = await createPasskey(started.data.options);
  } catch {
    return alarm("No passkey was added: your browser or device did not create one.");
  }
  const body = { challenge_id: started.data.challenge_id, credential, name: name.trim() || undefined };
  const answer = await api("/auth/passkeys/register", { method: "POST", body });
  if (!answer.ok) return showAnswer(form, answer.data);
  form.reset();
  await Promise.all([loadPasskeys(), loadFactors()]);
  say(`The passkey “${answer.data.name}” is added.`);
}

function bind(id, handler) {
  const form = byId(id);
  onSubmit(form, (fields) => handler(form, fields));
}

export function initFactors() {
  bind("totp-setup-form", setUp);
  bind("totp-confirm-form", confirm);
  bind("totp-disable-form", turnOff);
  bind("recovery-form", renewCodes);
  bind("passkey-add-form", addPasskey);
  byId("totp-cancel").addEventListener("click", async () => {
    stopEnrolling();
    await loadFactors();
    byId("totp-setup-password").focus();
    say("The authenticator app was not turned on.");
  });
  byId("recovery-codes-done").addEventListener("click", () => {
    byId("recovery-codes").hidden = true;
    byId("recovery-codes-list").replaceChildren();
    byId("mfa-state").focus();
  });
}
