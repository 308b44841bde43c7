// /verify-email#token=...: confirms the address the mailed link was sent to.
import { alarm, call, say, takeFragment } from "./api.js";

// A link opened in a tab already on this page changes only the fragment: start again with it.
window.addEventListener("hashchange", () => location.reload());

const token = takeFragment().get("token");
document.getElementById("working").hidden = true;
const next = document.getElementById("next");

if (!token) {
  alarm("This link has no token. Open the link of the mail again, or copy the whole link into the address bar.");
} else {
  try {
    const answer = await call("/auth/verify-email", { method: "POST", body: { token } });
    if (answer.status === 204) {
      say("Your email address is confirmed. You can sign in.");
      next.hidden = false;
    } else if (answer.status === 400) {
      alarm("This link does not work any more: it was used already, or it expired. Sign in and ask for a new one.");
      next.hidden = false;
    } else {
      alarm((answer.data && answer.data.detail) || "The address could not be confirmed. Try again later.");
    }
  } catch {
    alarm("The service could not be reached. Check your connection and reload the page.");
  }
}
