// /register: the sign-up form; the password policy's errors under the password, then "check your mail".
import { call, onSubmit, say, showProblem } from "./api.js";

const form = document.getElementById("register");
const registered = document.getElementById("registered");

// 409 names the taken field by its problem type; shown under that field.
const TAKEN = {
  email_taken: { field: "email", message: "This email address has an account already: sign in, or reset its password." },
  username_taken: { field: "username", message: "This username is taken: choose another one." },
};

onSubmit(form, async (fields) => {
  const body = { email: fields.email.trim(), username: fields.username.trim(), password: fields.password };
  if (fields.full_name.trim()) body.full_name = fields.full_name.trim();
  const answer = await call("/auth/register", { method: "POST", body });
  // 202: registration privacy, the same answer for a new and a taken address.
  if (answer.status === 201 || answer.status === 202) {
    form.hidden = true;
    document.getElementById("registered-email").textContent = body.email;
    registered.hidden = false;
    say("Your account is created. Check your mail to confirm your address.");
    registered.focus();
    return;
  }
  const code = answer.data && String(answer.data.type || "").split(":").pop();
  showProblem(form, answer.status === 409 && TAKEN[code] ? { errors: [TAKEN[code]] } : answer.data);
});
