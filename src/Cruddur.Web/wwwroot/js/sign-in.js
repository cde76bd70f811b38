// The sign-in page: the development sign-in form (a handle, maybe a display name), or a button to Cognito's hosted sign-in.
import { api } from "./api.js";
import { startCognitoSignIn } from "./cognito.js";
import { $ } from "./dom.js";
import { saveSession } from "./session.js";

// config is GET /api/ui-config's answer; onSignedIn runs once a development sign-in has saved its session.
export function showSignIn(config, onSignedIn) {
  $("app").hidden = true;
  $("sign-in").hidden = false;
  const cognito = config.sign_in === "cognito";
  const unavailable = config.sign_in === "unavailable";
  $("dev-fields").hidden = cognito || unavailable;
  // A hidden required field would stop the form (the browser cannot focus it to complain).
  $("sign-in-handle").required = !(cognito || unavailable);
  $("sign-in-button").disabled = unavailable;
  $("sign-in-mode-note").textContent = unavailable
    ? "Sign-in is not set up for this site (the server has no Cognito domain)."
    : cognito
      ? "You'll sign in with Amazon Cognito."
      : "Development sign-in: pick a handle; a new handle creates that user.";
  $("sign-in-form").onsubmit = async (event) => {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    if (cognito) return startCognitoSignIn(config.cognito);
    const handle = $("sign-in-handle").value.trim().replace(/^@/, "");
    const displayName = $("sign-in-display-name").value.trim();
    try {
      const { body } = await api("/api/dev/sign-in", { method: "POST", json: displayName ? { handle, display_name: displayName } : { handle } });
      saveSession({ token: body.access_token, user: body.user });
      onSignedIn();
    } catch (error) {
      $("sign-in-error").textContent = error.words;
    }
  };
  $("sign-in-handle").focus();
}
