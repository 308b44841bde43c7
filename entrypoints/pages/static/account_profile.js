// The account page: the profile, signing out, the sessions and the password.

import { alarm, call, forgetTokens, onSubmit, say, showProblem, tokens } from "./api.js";
import { api, button, byId, element, fillList, onClick, problemText, showAnswer, when } from "./account_ui.js";

export function showProfile(me) {
  byId("profile-email").textContent = me.email;
  byId("profile-username").textContent = me.username;
  byId("profile-verified").textContent = me.email_verified ? "Confirmed" : "Not confirmed yet";
  byId("resend-verification").hidden = Boolean(me.email_verified);
}

function leave() {
  forgetTokens();
  location.assign("/login");
}

async function signOut() {
  const held = tokens() || {};
  await call("/auth/logout", { method: "POST", body: { refresh_token: held.refresh_token || "" }, auth: true });
  leave();
}

async function signOutEverywhere() {
  const answer = await api("/auth/logout-all", { method: "POST" });
  if (!answer.ok) return alarm(problemText(answer.data));
  leave();
}

async function resendVerification() {
  const answer = await api("/auth/verify-email/resend", { method: "POST" });
  if (answer.ok) say("A new confirmation link is on its way: check your mailbox.");
  else alarm(problemText(answer.data));
}

function sessionItem(session) {
  const where = `IP ${session.ip || "unknown"} · signed in ${when(session.created_at)} · last used ${when(session.last_used_at)}`;
  const item = element("li", {}, [
    element("div", {}, [
      element("strong", { text: session.user_agent || "Unknown browser" }),
      session.current ? element("span", { className: "badge", text: "This device" }) : null,
      element("div", { className: "muted", text: where, "data-volatile": "" }),
    ]),
  ]);
  if (!session.current) item.append(button("End session", () => endSession(session)));
  return item;
}

let sessions = [];

export async function loadSessions() {
  const answer = await api("/auth/sessions");
  if (!answer.ok) return alarm(problemText(answer.data, "Your sessions could not be loaded."));
  sessions = [...answer.data].sort((one, other) => Number(other.current) - Number(one.current));
  fillList(byId("sessions-list"), null, sessions, sessionItem);
}

async function endSession(session) {
  const answer = await api(`/auth/sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" });
  if (!answer.ok && answer.status !== 404) return alarm(problemText(answer.data));
  await loadSessions();
  say("That session has ended.");
}

// The API ends either one session or all of them; ending the others one by one keeps this one.
async function endOtherSessions() {
  const others = sessions.filter((session) => !session.current);
  for (const session of others) {
    const answer = await api(`/auth/sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" });
    if (!answer.ok && answer.status !== 404) return alarm(problemText(answer.data));
  }
  await loadSessions();
  say(others.length ? "Every other session has ended." : "No other session was open.");
}

async function changePassword(form, fields) {
  if (fields.new_password !== fields.new_password_again) {
    const message = "The two new passwords differ.";
    return showProblem(form, { errors: [{ field: "new_password_again", message }] });
  }
  const body = { current_password: fields.current_password, new_password: fields.new_password };
  const answer = await api("/auth/change-password", { method: "POST", body });
  if (!answer.ok) return showAnswer(form, answer.data);
  form.reset();
  say("Your password has been changed, and your other sessions have ended.");
  await loadSessions();
}

export function initProfile() {
  onClick(byId("sign-out"), signOut);
  onClick(byId("sign-out-everywhere"), signOutEverywhere);
  onClick(byId("resend-verification"), resendVerification);
  onClick(byId("end-other-sessions"), endOtherSessions);
  const form = byId("password-form");
  onSubmit(form, (fields) => changePassword(form, fields));
}
