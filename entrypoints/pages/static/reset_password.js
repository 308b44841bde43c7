// /reset-password: without a token, asks for the address to mail a link to; with the mailed link's
// #token=..., sets the new password (typed twice).
import { alarm, call, onSubmit, say, showProblem, takeFragment } from "./api.js";

// A link opened in a tab already on this page changes only the fragment: start again with it.
window.addEventListener("hashchange", () => location.reload());

const requestForm = document.getElementById("request");
const confirmForm = document.getElementById("confirm");
const done = document.getElementById("done");
const token = takeFragment().get("token");

function askForAddress() {
  confirmForm.hidden = true;
  requestForm.hidden = false;
}

onSubmit(requestForm, async ({ email }) => {
  const answer = await call("/auth/password-reset", { method: "POST", body: { email: email.trim() } });
  if (answer.status !== 202) return showProblem(requestForm, answer.data);
  // The same answer whether or not the account exists: nothing here tells who has an account.
  say("If an account has this address, a link to choose a new password is on its way. Check your mail.");
});

onSubmit(confirmForm, async (fields) => {
  if (fields.new_password !== fields.repeat_password) {
    return showProblem(confirmForm, { errors: [{ field: "repeat_password", message: "The two passwords differ." }] });
  }
  const body = { token, new_password: fields.new_password };
  const answer = await call("/auth/password-reset/confirm", { method: "POST", body });
  if (answer.status === 204) {
    confirmForm.hidden = true;
    done.hidden = false;
    say("Your password is changed, and every session of the account has ended. Sign in with the new password.");
  } else if (answer.status === 400) {
    askForAddress();
    alarm("This link does not work any more: it was used already, it expired, or a newer one was sent. Ask for a new link below.");
  } else {
    showProblem(confirmForm, answer.data);
  }
});

if (token) {
  confirmForm.hidden = false;
  document.getElementById("new_password").focus();
} else {
  askForAddress();
}
