// The hosted pages call Bastion's JSON API as any other client would. The token pair lives in this
// tab's sessionStorage only: never in a cookie, never in a URL.

const TOKENS = "bastion.tokens";

export function tokens() {
  try {
    return JSON.parse(sessionStorage.getItem(TOKENS) || "null");
  } catch {
    return null;
  }
}

export function keepTokens(pair) {
  sessionStorage.setItem(
    TOKENS,
    JSON.stringify({ access_token: pair.access_token, refresh_token: pair.refresh_token }),
  );
}

export function forgetTokens() {
  sessionStorage.removeItem(TOKENS);
}

async function send(path, { method = "GET", body, bearer } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    redirect: "error",
  });
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : null;
  return { status: response.status, ok: response.ok, data, response };
}

async function refreshed() {
  const held = tokens();
  if (!held || !held.refresh_token) return false;
  const answer = await send("/auth/refresh", { method: "POST", body: { refresh_token: held.refresh_token } });
  if (!answer.ok) {
    forgetTokens();
    return false;
  }
  keepTokens(answer.data);
  return true;
}

// A call of the API. With `auth`, the tab's access token goes along, refreshed once on a 401.
export async function call(path, { method = "GET", body, auth = false } = {}) {
  if (!auth) return send(path, { method, body });
  const held = tokens();
  let answer = await send(path, { method, body, bearer: held && held.access_token });
  if (answer.status === 401 && (await refreshed())) {
    answer = await send(path, { method, body, bearer: tokens().access_token });
  }
  return answer;
}

// The fields of the URL fragment (`#token=...`, `#code=...`), removed from the address bar at once so
// that they stay out of the history.
export function takeFragment() {
  const fields = new URLSearchParams(location.hash.slice(1));
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  return fields;
}

export function say(message) {
  document.getElementById("alert").hidden = true;
  document.getElementById("status").textContent = message;
}

export function alarm(message) {
  const alert = document.getElementById("alert");
  document.getElementById("status").textContent = "";
  alert.textContent = message;
  alert.hidden = false;
}

export function clearErrors(form) {
  for (const note of form.querySelectorAll(".field-error")) note.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    // Keep the field's own hints; drop only the error notes removed above.
    const kept = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.includes("-error-"));
    if (kept.length) input.setAttribute("aria-describedby", kept.join(" "));
    else input.removeAttribute("aria-describedby");
  }
  document.getElementById("alert").hidden = true;
}

// A problem document shown on `form`: each `errors` entry under its field, announced; the rest as an alert.
export function showProblem(form, problem, fallback = "Something went wrong. Try again.") {
  clearErrors(form);
  const errors = (problem && Array.isArray(problem.errors) && problem.errors) || [];
  const unplaced = [];
  let first = null;
  for (const error of errors) {
    const input = form.querySelector(`[name="${CSS.escape(error.field || "")}"]`);
    if (!input) {
      unplaced.push(error.message);
      continue;
    }
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `${input.id}-error-${form.querySelectorAll(".field-error").length}`;
    note.textContent = error.message;
    input.insertAdjacentElement("afterend", note);
    input.setAttribute("aria-invalid", "true");
    const described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", described ? `${described} ${note.id}` : note.id);
    first = first || input;
  }
  if (unplaced.length || !errors.length) {
    alarm(unplaced.length ? unplaced.join(" ") : (problem && (problem.detail || problem.title)) || fallback);
  } else {
    alarm(`Please correct ${errors.length === 1 ? "the field" : "the fields"} marked below.`);
  }
  if (first) first.focus();
}

// Run `handler(fields)` when `form` is submitted, its button disabled meanwhile; errors are shown.
export function onSubmit(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit], button:not([type])");
    if (button) button.disabled = true;
    try {
      clearErrors(form);
      await handler(Object.fromEntries(new FormData(form)));
    } catch (error) {
      alarm("The service could not be reached. Check your connection and try again.");
    } finally {
      if (button) button.disabled = false;
    }
  });
}

// Base64url <-> ArrayBuffer, for browsers without PublicKeyCredential.parse*FromJSON.
function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)).buffer;
}

function toBase64url(buffer) {
  let text = "";
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// navigator.credentials.create() for options in the WebAuthn JSON form; the credential as JSON.
export async function createPasskey(options) {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON
    ? PublicKeyCredential.parseCreationOptionsFromJSON(options)
    : {
        ...options,
        challenge: fromBase64url(options.challenge),
        user: { ...options.user, id: fromBase64url(options.user.id) },
        excludeCredentials: (options.excludeCredentials || []).map((item) => ({ ...item, id: fromBase64url(item.id) })),
      };
  const credential = await navigator.credentials.create({ publicKey });
  return credential.toJSON ? credential.toJSON() : credentialJSON(credential);
}

// navigator.credentials.get() for options in the WebAuthn JSON form; the assertion as JSON.
export async function getPasskey(options) {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON
    ? PublicKeyCredential.parseRequestOptionsFromJSON(options)
    : {
        ...options,
        challenge: fromBase64url(options.challenge),
        allowCredentials: (options.allowCredentials || []).map((item) => ({ ...item, id: fromBase64url(item.id) })),
      };
  const credential = await navigator.credentials.get({ publicKey });
  return credential.toJSON ? credential.toJSON() : credentialJSON(credential);
}

function credentialJSON(credential) {
  const response = {};
  for (const name of ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]) {
    if (credential.response[name]) response[name] = toBase64url(credential.response[name]);
  }
  if (credential.response.getTransports) response.transports = credential.response.getTransports();
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment,
  };
}
