// The account page: the signed-in user's security settings. Each section lives in its own module;
// this one checks that the tab is signed in, shows the profile and loads the sections.

import { alarm, takeFragment, tokens } from "./api.js";
import { announceLink, initAccess, loadIdentities, loadKeys } from "./account_access.js";
import { initFactors, loadFactors, loadPasskeys } from "./account_factors.js";
import { initProfile, loadSessions, showProfile } from "./account_profile.js";
import { api, byId, problemText } from "./account_ui.js";

// Taken at once, so that a link's outcome (#linked=..., #error=...) leaves the address bar.
const fragment = takeFragment();

async function start() {
  if (!tokens()) {
    location.replace("/login");
    return;
  }
  const me = await api("/auth/me");
  if (!me.ok) {
    byId("loading").hidden = true;
    alarm(problemText(me.data, "Your account could not be loaded. Reload the page to try again."));
    return;
  }
  showProfile(me.data);
  initProfile();
  initFactors();
  initAccess();
  byId("loading").hidden = true;
  byId("account").hidden = false;
  await Promise.all([loadSessions(), loadFactors(), loadPasskeys(), loadKeys(), loadIdentities()]);
  announceLink(fragment);
}

start().catch(() => alarm("The service could not be reached. Reload the page to try again."));
