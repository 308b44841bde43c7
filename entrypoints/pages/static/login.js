// /login: password, the second step (code or passkey), passkey alone, social providers; on success the
// token pair goes to this tab's sessionStorage and the browser to /account.
import { alarm, call, getPasskey, keepTokens, onSubmit, say, showProblem, takeFragment, tokens } from "./api.js";

const byId = (id) => document.getElementById(id);
const passwordForm = byId("password-login");
const codeForm = byId("mfa-code");
const mfaPasskeyForm = byId("mfa-passkey");
const HERE = `${location.origin}/login`;
let mfaToken = null;

// What a social login's `#error=...` means to the person who tried it.
const SOCIAL_ERRORS = {
  invalid_state: "The sign-in with the provider expired, was used already, or was started in another browser. Try again.",
  access_denied: "The provider's sign-in was declined. Nothing was changed.",
  email_not_verified: "The provider did not confirm your email address. Confirm it there first, or sign in another way.",
  account_exists:
    "An account with this email address exists already. Sign in to it here (password or passkey), then link the provider from your account page.",
  account_disabled: "This account is deactivated. Ask the service's administrator.",
  identity_in_use: "This provider account is linked to another account already.",
  invalid_response: "The provider's answer could not be verified, so nothing was changed. Try again.",
  provider_error: "The provider reported an error. Try again later.",
  invalid_request: "The provider sent no sign-in code back. Try again.",
};

function signedIn(pair) {
  keepTokens(pair);
  location.assign("/account");
}

function askSecondFactor(step) {
  mfaToken = step.mfa_token;
  const methods = step.methods || [];
  passwordForm.hidden = true;
  byId("other-ways").hidden = true;
  byId("signed-in").hidden = true;
  byId("mfa").hidden = false;
  codeForm.hidden = !methods.includes("totp") && !methods.includes("recovery_code");
  mfaPasskeyForm.hidden = !methods.includes("webauthn") || !window.PublicKeyCredential;
  say("One more step: confirm it is you.");
  (codeForm.hidden ? mfaPasskeyForm.querySelector("button") : byId("code")).focus();
}

// An answer that may sign in: the token pair, the second step, or a problem shown on `form`.
function settle(answer, form, refused) {
  if (answer.ok && answer.data.mfa_required) return askSecondFactor(answer.data);
  if (answer.ok) return signedIn(answer.data);
  showProblem(form, answer.status === 401 && refused ? { detail: refused } : answer.data);
}

// The passkey's assertion for `options`, or null (and a message) when none was given.
async function assertion(options) {
  try {
    return await getPasskey(options);
  } catch {
    alarm("No passkey was used. Try again, or use another way to sign in.");
    return null;
  }
}

onSubmit(passwordForm, async ({ identifier, password }) => {
  const key = identifier.includes("@") ? "email" : "username";
  const answer = await call("/auth/login", { method: "POST", body: { [key]: identifier.trim(), password } });
  settle(answer, passwordForm, "The email or username, or the password, is wrong.");
});

onSubmit(byId("passkey-login"), async () => {
  const options = await call("/auth/passkeys/login/options", { method: "POST", body: {} });
  if (!options.ok) return showProblem(passwordForm, options.data);
  const credential = await assertion(options.data.options);
  if (!credential) return;
  const body = { challenge_id: options.data.challenge_id, credential };
  settle(await call("/auth/passkeys/login", { method: "POST", body }), passwordForm, "This passkey was not accepted.");
});

onSubmit(codeForm, async ({ code }) => {
  const answer = await call("/auth/login/mfa", { method: "POST", body: { mfa_token: mfaToken, code: code.trim() } });
  settle(answer, codeForm, "This code did not work. Try again, or start over if it keeps failing.");
});

onSubmit(mfaPasskeyForm, async () => {
  const options = await call("/auth/login/mfa/options", { method: "POST", body: { mfa_token: mfaToken } });
  if (!options.ok) return showProblem(mfaPasskeyForm, { detail: "The passkey step is not available any more. Start over." });
  const credential = await assertion(options.data.options);
  if (!credential) return;
  const body = { mfa_token: mfaToken, credential };
  settle(await call("/auth/login/mfa", { method: "POST", body }), mfaPasskeyForm, "This passkey was not accepted.");
});

async function showProviders() {
  const answer = await call("/auth/oauth/providers");
  const list = byId("providers");
  for (const provider of answer.ok ? answer.data : []) {
    const link = document.createElement("a");
    link.className = "button secondary";
    link.href = `/auth/oauth/${encodeURIComponent(provider.name)}/authorize?redirect_uri=${encodeURIComponent(HERE)}`;
    link.textContent = `Sign in with ${provider.display_name}`;
    list.append(link);
  }
}

// Back from a provider: #code=... to exchange (it may lead to the second step), or #error=...
async function arrive(fragment) {
  if (fragment.has("code")) {
    say("Signing you in…");
    const answer = await call("/auth/oauth/exchange", { method: "POST", body: { code: fragment.get("code") } });
    settle(answer, passwordForm);
  } else if (fragment.has("error")) {
    const code = fragment.get("error");
    alarm(SOCIAL_ERRORS[code] || `The sign-in with the provider failed (${code}). Try again.`);
  } else if (tokens()) {
    byId("signed-in").hidden = false;
  }
}

// A browser without WebAuthn gets no passkey button it could not use.
byId("passkey-login").hidden = !window.PublicKeyCredential;

try {
  await Promise.all([arrive(takeFragment()), showProviders()]);
} catch {
  alarm("The service could not be reached. Check your connection and reload the page.");
}
