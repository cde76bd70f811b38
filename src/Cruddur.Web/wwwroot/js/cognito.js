// Cognito's hosted sign-in: the authorization code flow with PKCE (S256), then GET /api/me to name the user.
import { api } from "./api.js";
import { forgetSession, saveSession, session, signOut, useSession } from "./session.js";

const PKCE_KEY = "cruddur.pkce";

export async function startCognitoSignIn(cognito) {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const stateValue = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state: stateValue }));
  const url = new URL(`${hostedBase(cognito)}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: cognito.client_id,
    redirect_uri: redirectUri(cognito),
    scope: cognito.scopes ?? "openid",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: stateValue,
  });
  location.assign(url);
}

// Back from Cognito with ?code=…&state=…: exchanges the code for tokens. Answers the session, or null.
export async function finishCognitoSignIn(cognito) {
  const params = new URLSearchParams(location.search);
  const pkce = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null");
  if (!params.get("code") || !pkce || params.get("state") !== pkce.state) return null;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, "", location.pathname);
  const response = await fetch(`${hostedBase(cognito)}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: cognito.client_id,
      code: params.get("code"),
      redirect_uri: redirectUri(cognito),
      code_verifier: pkce.verifier,
    }),
  });
  if (!response.ok) return null;
  const tokens = await response.json();
  useSession({ token: tokens.access_token, user: null });
  try {
    const { body: user } = await api("/api/me");
    saveSession({ token: tokens.access_token, user });
    return session();
  } catch {
    useSession(null);
    return null;
  }
}

// Sign-out clears the session, then ends Cognito's own session at its /logout where the pool has one
// (cognito-local has none: there the cleared session is the whole sign-out).
export function signOutOfCognito(cognito) {
  if (!cognito?.logout) return signOut();
  forgetSession();
  const url = new URL(`${hostedBase(cognito)}/logout`);
  url.search = new URLSearchParams({ client_id: cognito.client_id, logout_uri: redirectUri(cognito) });
  location.assign(url);
}

// The hosted sign-in's origin: a bare domain is https; a full URL (a local emulator) is taken as it is.
function hostedBase(cognito) {
  return cognito.domain.includes("://") ? cognito.domain.replace(/\/+$/, "") : `https://${cognito.domain}`;
}

// The app client's callback URL: the server's setting, or this page's own address.
function redirectUri(cognito) {
  return cognito.redirect_uri ?? `${location.origin}/`;
}

function base64Url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
