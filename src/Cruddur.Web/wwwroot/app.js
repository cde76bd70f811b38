// Cruddur Messages web UI: plain ES modules, no build step. Message text only ever goes into textContent.
const MAX_CHARS = 1024;
const PAGE_SIZE = 30;
const TOKEN_KEY = "cruddur.session";

const $ = (id) => document.getElementById(id);
const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

const errorWords = {
  message_blank: "Write something first.",
  message_exceed_max_chars_1024: "That message is longer than 1024 characters.",
  message_self: "You can't message yourself.",
  handle_unknown: "No user has that handle.",
  user_not_found: "No user has that handle.",
  handle_invalid: "That is not a valid handle.",
  message_group_not_found: "That conversation doesn't exist.",
  recipient_missing: "Pick a conversation or a handle first.",
  rate_limited: "You're sending too fast; wait a moment.",
  body_too_large: "That message is too large to send.",
  idempotency_request_in_flight: "The last send is still going through; try again in a moment.",
  authentication_required: "Your session has ended; sign in again.",
  token_invalid: "Your session has ended; sign in again.",
  token_expired: "Your session has ended; sign in again.",
  token_not_access: "Your session has ended; sign in again.",
  user_unknown: "This account has no Cruddur user yet.",
  unauthorized: "Your session has ended; sign in again.",
  service_unavailable: "The service is unavailable right now; try again shortly.",
  internal_error: "Something went wrong on our side; try again.",
};

const state = {
  session: null, // { token, user: { uuid, handle, display_name } }
  groups: [],
  groupsNext: null,
  openGroup: null, // { uuid, handle, display_name } or { handle, display_name, uuid: null } for a new conversation
  messages: [],
  messagesNext: null,
  loadingOlder: false,
};

// ---- API ----

class ApiError extends Error {
  constructor(status, codes, detail) {
    super(detail || codes.join(", ") || `HTTP ${status}`);
    this.status = status;
    this.codes = codes;
  }

  get words() {
    return this.codes.map((code) => errorWords[code]).find(Boolean) ?? this.message;
  }
}

async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers ?? {}) };
  if (state.session) headers.Authorization = `Bearer ${state.session.token}`;
  if (options.json !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
    });
  } catch {
    throw new ApiError(0, ["service_unavailable"], "The server can't be reached.");
  }
  if (response.status === 401 && state.session) {
    signOut();
  }
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not JSON */ }
    const codes = Array.isArray(problem.errors) ? problem.errors : [];
    if (response.status === 429 && codes.length === 0) codes.push("rate_limited");
    if (response.status === 401 && codes.length === 0) codes.push("unauthorized");
    throw new ApiError(response.status, codes, problem.detail || problem.title);
  }
  return { body: await response.json(), next: nextLink(response.headers.get("Link")) };
}

function nextLink(header) {
  const match = header?.match(/<([^>]+)>\s*;\s*rel="?next"?/);
  return match ? match[1] : null;
}

// ---- Time ----

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

function timeElement(iso) {
  const date = new Date(iso);
  const element = document.createElement("time");
  element.dateTime = iso;
  element.title = exact.format(date);
  element.textContent = relativeTime(date);
  return element;
}

function relativeTime(date) {
  const seconds = (date.getTime() - Date.now()) / 1000;
  const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

// ---- Sign-in ----

async function start() {
  const config = await fetch("/api/ui-config").then((r) => r.json()).catch(() => ({ sign_in: "development" }));
  state.session = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? "null");
  if (!state.session && config.sign_in === "cognito") {
    state.session = await finishCognitoSignIn(config.cognito);
  }
  if (state.session) {
    showApp();
  } else {
    showSignIn(config);
  }
}

function showSignIn(config) {
  $("app").hidden = true;
  $("sign-in").hidden = false;
  const cognito = config.sign_in === "cognito";
  const unavailable = config.sign_in === "unavailable";
  $("dev-fields").hidden = cognito || unavailable;
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
      showApp();
    } catch (error) {
      $("sign-in-error").textContent = error.words;
    }
  };
  $("sign-in-handle").focus();
}

function saveSession(session) {
  state.session = session;
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
}

// Cognito hosted sign-in: authorization code with PKCE.
async function startCognitoSignIn(cognito) {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const stateValue = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("cruddur.pkce", JSON.stringify({ verifier, state: stateValue }));
  const url = new URL(`https://${cognito.domain}/oauth2/authorize`);
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

async function finishCognitoSignIn(cognito) {
  const params = new URLSearchParams(location.search);
  const pkce = JSON.parse(sessionStorage.getItem("cruddur.pkce") ?? "null");
  if (!params.get("code") || !pkce || params.get("state") !== pkce.state) return null;
  sessionStorage.removeItem("cruddur.pkce");
  history.replaceState(null, "", location.pathname);
  const response = await fetch(`https://${cognito.domain}/oauth2/token`, {
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
  state.session = { token: tokens.access_token, user: null };
  try {
    const { body: user } = await api("/api/me");
    saveSession({ token: tokens.access_token, user });
    return state.session;
  } catch {
    state.session = null;
    return null;
  }
}

// The app client's callback URL: the server's setting, or this page's own address.
function redirectUri(cognito) {
  return cognito.redirect_uri ?? `${location.origin}/`;
}

function base64Url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// ---- App ----

function showApp() {
  $("sign-in").hidden = true;
  $("app").hidden = false;
  $("me").textContent = `${state.session.user.display_name} @${state.session.user.handle}`;
  $("sign-out").onclick = signOut;
  $("back").onclick = closeConversation;
  $("groups-pane").onscroll = onGroupsScroll;
  $("messages").onscroll = onMessagesScroll;
  $("new-conversation").onsubmit = onNewConversation;
  setUpComposer();
  loadGroups();
  listenForChanges();
  // Relative times ("3 minutes ago") age while the page stays open.
  setInterval(() => {
    for (const element of document.querySelectorAll("time[datetime]")) element.textContent = relativeTime(new Date(element.dateTime));
  }, 30000);
}

// Phone-sized screens show one pane: back to the list, focus on the conversation that was open.
function closeConversation() {
  $("app").classList.remove("reading");
  const uuid = state.openGroup?.uuid;
  const button = uuid ? document.querySelector(`#groups button[data-uuid="${uuid}"]`) : null;
  (button ?? $("new-handle")).focus();
}

async function loadGroups() {
  try {
    const { body, next } = await api(`/api/message_groups?limit=${PAGE_SIZE}`);
    if (state.groups.length > body.length) {
      // More pages were loaded by scrolling: keep them (a new message only moves a group to the top) and their cursor.
      const fresh = new Set(body.map((group) => group.uuid));
      state.groups = [...body, ...state.groups.filter((group) => !fresh.has(group.uuid))];
    } else {
      state.groups = body;
      state.groupsNext = next;
    }
    $("groups-status").textContent = body.length === 0 ? "No conversations yet. Start one with @handle above." : "";
    renderGroups();
  } catch (error) {
    $("groups-status").textContent = error.words;
  }
}

async function onGroupsScroll() {
  const pane = $("groups-pane");
  if (!state.groupsNext || state.loadingGroups || pane.scrollTop + pane.clientHeight < pane.scrollHeight - 40) return;
  state.loadingGroups = true;
  try {
    const { body, next } = await api(state.groupsNext);
    const known = new Set(state.groups.map((group) => group.uuid));
    state.groups.push(...body.filter((group) => !known.has(group.uuid)));
    state.groupsNext = next;
    renderGroups();
  } finally {
    state.loadingGroups = false;
  }
}

function renderGroups() {
  const list = $("groups");
  list.replaceChildren(...state.groups.map((group) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.uuid = group.uuid;
    button.setAttribute("aria-current", String(state.openGroup?.uuid === group.uuid));
    const line = document.createElement("div");
    line.className = "group-line";
    const name = document.createElement("span");
    name.className = "group-name";
    name.textContent = group.display_name;
    const time = timeElement(group.created_at);
    time.className = "group-time";
    line.append(name, time);
    const handle = document.createElement("div");
    handle.className = "group-handle";
    handle.textContent = `@${group.handle}`;
    const message = document.createElement("div");
    message.className = "group-message";
    message.textContent = group.message;
    button.append(line, handle, message);
    button.onclick = () => openGroup({ uuid: group.uuid, handle: group.handle, display_name: group.display_name });
    item.append(button);
    return item;
  }));
}

async function openGroup(group) {
  state.openGroup = group;
  state.messages = [];
  state.messagesNext = null;
  renderGroups();
  $("app").classList.add("reading");
  $("conversation-title").textContent = `${group.display_name} @${group.handle}`;
  $("composer").hidden = false;
  $("composer-error").textContent = "";
  $("messages").replaceChildren();
  if (group.uuid) {
    try {
      const { body, next } = await api(`/api/messages/${group.uuid}?limit=${PAGE_SIZE}`);
      if (state.openGroup !== group) return;
      state.messages = body;
      state.messagesNext = next;
      renderMessages();
      scrollToBottom();
      fillMessages();
    } catch (error) {
      $("composer-error").textContent = error.words;
    }
  }
  $("composer-text").focus();
}

// Older pages load on scroll-up, which needs a scroll bar: load them while the list doesn't fill its pane.
async function fillMessages() {
  const list = $("messages");
  while (state.messagesNext && !state.loadingOlder && list.scrollHeight <= list.clientHeight) {
    const before = state.messages.length;
    await loadOlderMessages();
    if (state.messages.length === before) break;
  }
}

async function onNewConversation(event) {
  event.preventDefault();
  const handle = $("new-handle").value.trim().replace(/^@/, "");
  $("new-conversation-error").textContent = "";
  if (!handle) return;
  try {
    const { body: user } = await api(`/api/users/@${encodeURIComponent(handle)}/short`);
    if (user.uuid === state.session.user.uuid) {
      $("new-conversation-error").textContent = errorWords.message_self;
      return;
    }
    $("new-handle").value = "";
    const existing = state.groups.find((group) => group.handle === user.handle);
    // Posting by handle reuses the pair's conversation on the server even when it is not loaded here.
    openGroup(existing ? { uuid: existing.uuid, handle: existing.handle, display_name: existing.display_name } : { uuid: null, handle: user.handle, display_name: user.display_name });
  } catch (error) {
    $("new-conversation-error").textContent = error.status === 404 ? errorWords.handle_unknown : error.words;
  }
}

function renderMessages() {
  $("messages").replaceChildren(...state.messages.map(messageElement));
}

function messageElement(message) {
  const item = document.createElement("li");
  item.className = "message";
  item.dataset.uuid = message.uuid;
  if (message.handle === state.session.user.handle) item.classList.add("mine");
  const meta = document.createElement("div");
  meta.className = "message-meta";
  const sender = document.createElement("span");
  sender.className = "message-sender";
  sender.textContent = `${message.display_name} @${message.handle}`;
  meta.append(sender, timeElement(message.created_at));
  const text = document.createElement("div");
  text.className = "message-text";
  text.textContent = message.message;
  item.append(meta, text);
  return item;
}

function scrollToBottom() {
  const list = $("messages");
  list.scrollTop = list.scrollHeight;
}

// Older messages on scroll-up, keeping the reading position where it was.
async function onMessagesScroll() {
  if ($("messages").scrollTop > 40) return;
  await loadOlderMessages();
}

async function loadOlderMessages() {
  const list = $("messages");
  if (!state.messagesNext || state.loadingOlder) return;
  state.loadingOlder = true;
  const group = state.openGroup;
  try {
    const { body, next } = await api(state.messagesNext);
    if (state.openGroup !== group) return;
    const heightBefore = list.scrollHeight;
    const topBefore = list.scrollTop;
    const known = new Set(state.messages.map((message) => message.uuid));
    const older = body.filter((message) => !known.has(message.uuid));
    state.messages = [...older, ...state.messages];
    state.messagesNext = next;
    list.prepend(...older.map(messageElement));
    list.scrollTop = topBefore + (list.scrollHeight - heightBefore);
  } catch (error) {
    $("composer-error").textContent = error.words;
  } finally {
    state.loadingOlder = false;
  }
}

// ---- Composer ----

function graphemeCount(text) {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

function setUpComposer() {
  const text = $("composer-text");
  const update = () => {
    const remaining = MAX_CHARS - graphemeCount(text.value.trim());
    $("counter").textContent = String(remaining);
    $("counter").classList.toggle("over", remaining < 0);
    $("send").disabled = text.value.trim() === "" || remaining < 0;
    if (remaining < 0) {
      $("composer-error").textContent = errorWords.message_exceed_max_chars_1024;
    } else if ($("composer-error").dataset.kind === "length") {
      $("composer-error").textContent = "";
    }
    $("composer-error").dataset.kind = remaining < 0 ? "length" : "";
  };
  text.oninput = update;
  text.onkeydown = (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (!$("send").disabled) $("composer").requestSubmit();
    }
  };
  $("composer").onsubmit = async (event) => {
    event.preventDefault();
    const group = state.openGroup;
    const message = text.value.trim();
    if (!group || !message) return;
    $("send").disabled = true;
    try {
      const target = group.uuid ? { message_group_uuid: group.uuid } : { handle: group.handle };
      const { body } = await api("/api/messages", {
        method: "POST",
        json: { message, ...target },
        headers: { "Idempotency-Key": crypto.randomUUID() },
      });
      text.value = "";
      $("composer-error").textContent = "";
      if (!group.uuid) {
        // A send by handle lands in the pair's conversation, which may already have history: show all of it.
        group.uuid = body.message_group_uuid;
        if (state.openGroup === group) await openGroup(group);
      }
      addMessages([body]);
      loadGroups();
    } catch (error) {
      $("composer-error").textContent = error.words;
    } finally {
      update();
    }
  };
}

function addMessages(messages) {
  const known = new Set(state.messages.map((message) => message.uuid));
  const added = messages.filter((message) => !known.has(message.uuid));
  if (added.length === 0) return;
  const list = $("messages");
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  state.messages.push(...added);
  state.messages.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
  renderMessages();
  if (atBottom || added.some((message) => message.handle === state.session.user.handle)) scrollToBottom();
}

// ---- Live updates: server-sent events over fetch (so the bearer token goes in a header, not the URL) ----

async function listenForChanges() {
  let delay = 1000;
  let reconnecting = false;
  while (state.session) {
    try {
      const response = await fetch("/api/events", { headers: { Authorization: `Bearer ${state.session.token}`, Accept: "text/event-stream" } });
      if (response.status === 401) return signOut();
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      delay = 1000;
      if (reconnecting) {
        // Whatever changed while the stream was down was not announced: read it now.
        loadGroups();
        if (state.openGroup?.uuid) refreshOpenGroup();
      }
      reconnecting = true;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          onServerEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // Reconnect below.
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

function onServerEvent(block) {
  const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).join("\n");
  if (!data) return;
  const event = JSON.parse(data);
  loadGroups();
  if (event.message_group_uuid && event.message_group_uuid === state.openGroup?.uuid) {
    refreshOpenGroup();
  }
}

async function refreshOpenGroup() {
  const group = state.openGroup;
  try {
    const { body } = await api(`/api/messages/${group.uuid}?limit=${PAGE_SIZE}`);
    if (state.openGroup === group) addMessages(body);
  } catch {
    // The next change or a reload tries again.
  }
}

start();
