// The signed-in session (bearer token and user), kept in this tab's sessionStorage; signing out forgets it.
const TOKEN_KEY = "cruddur.session";

let current = null; // { token, user: { uuid, handle, display_name } }

export const session = () => current;

export function restoreSession() {
  current = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? "null");
  return current;
}

// A session for this page only, not stored: a Cognito token while the server is asked whose it is.
export function useSession(value) {
  current = value;
}

export function saveSession(value) {
  current = value;
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(value));
}

export function forgetSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  current = null;
}

export function signOut() {
  forgetSession();
  location.reload();
}
