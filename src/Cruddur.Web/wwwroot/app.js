// Cruddur Messages web UI, the entry module: signs in, then wires the views and live updates. Plain ES modules under
// js/, no build step. Message text, names and handles only ever go into textContent.
import { $ } from "./js/dom.js";
import { finishCognitoSignIn, signOutOfCognito } from "./js/cognito.js";
import { listenForChanges } from "./js/live.js";
import { restoreSession, session, signOut } from "./js/session.js";
import { showSignIn } from "./js/sign-in.js";
import { keepTimesFresh } from "./js/time.js";
import { setUpComposer } from "./js/views/composer.js";
import { loadGroups, setUpConversationList } from "./js/views/conversation-list.js";
import { openGroup, setUpConversation } from "./js/views/conversation.js";
import { setUpNewConversation } from "./js/views/new-conversation.js";

let config = { sign_in: "development" };

async function start() {
  config = await fetch("/api/ui-config").then((r) => r.json()).catch(() => ({ sign_in: "development" }));
  if (!restoreSession() && config.sign_in === "cognito") {
    await finishCognitoSignIn(config.cognito);
  }
  if (session()) {
    showApp();
  } else {
    showSignIn(config, showApp);
  }
}

function showApp() {
  $("sign-in").hidden = true;
  $("app").hidden = false;
  $("me").textContent = `${session().user.display_name} @${session().user.handle}`;
  $("sign-out").onclick = () => (config.sign_in === "cognito" ? signOutOfCognito(config.cognito) : signOut());
  setUpConversation();
  setUpConversationList(openGroup);
  setUpNewConversation();
  setUpComposer();
  loadGroups();
  listenForChanges();
  keepTimesFresh();
}

start();
