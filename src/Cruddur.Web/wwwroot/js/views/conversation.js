// The open conversation (pattern A): its newest page, older pages on scroll-up, new messages merged in by uuid.
import { api } from "../api.js";
import { $ } from "../dom.js";
import { session } from "../session.js";
import { PAGE_SIZE, state } from "../state.js";
import { timeElement } from "../time.js";
import { markRead, renderGroups } from "./conversation-list.js";

export function setUpConversation() {
  $("back").onclick = closeConversation;
  $("messages").onscroll = onMessagesScroll;
  document.addEventListener("visibilitychange", markReadIfSeen);
}

export async function openGroup(group) {
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
      markReadIfSeen();
    } catch (error) {
      $("composer-error").textContent = error.words;
    }
  }
  $("composer-text").focus();
}

// Phone-sized screens show one pane: back to the list, focus on the conversation that was open.
function closeConversation() {
  $("app").classList.remove("reading");
  const uuid = state.openGroup?.uuid;
  const button = uuid ? document.querySelector(`#groups button[data-uuid="${uuid}"]`) : null;
  (button ?? $("new-handle")).focus();
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

function renderMessages() {
  $("messages").replaceChildren(...state.messages.map(messageElement));
  showSeen();
}

// "Seen" under the last of my messages the other person has read (read_by_other from pattern A).
function showSeen() {
  document.querySelector("#messages .message-seen")?.remove();
  const me = session().user.handle;
  const last = state.messages.findLast((message) => message.handle === me && message.read_by_other);
  const item = last && document.querySelector(`#messages li.message[data-uuid="${last.uuid}"]`);
  if (!item) return;
  const seen = document.createElement("li");
  seen.className = "message-seen";
  seen.textContent = "Seen";
  item.after(seen);
}

// The open conversation counts as read while the page is visible.
function markReadIfSeen() {
  if (state.openGroup?.uuid && document.visibilityState === "visible") markRead(state.openGroup.uuid);
}

function messageElement(message) {
  const item = document.createElement("li");
  item.className = "message";
  item.dataset.uuid = message.uuid;
  if (message.handle === session().user.handle) item.classList.add("mine");
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

// Merges messages in by uuid, in time order; follows them down when the reader was at the bottom or sent one.
export function addMessages(messages) {
  const known = new Map(state.messages.map((message) => [message.uuid, message]));
  const added = messages.filter((message) => !known.has(message.uuid));
  let seenChanged = false;
  for (const message of messages) {
    const mine = known.get(message.uuid);
    if (mine && message.read_by_other !== undefined && mine.read_by_other !== message.read_by_other) {
      mine.read_by_other = message.read_by_other;
      seenChanged = true;
    }
  }
  if (seenChanged) showSeen();
  if (added.length === 0) return;
  const list = $("messages");
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  state.messages.push(...added);
  state.messages.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
  renderMessages();
  if (atBottom || added.some((message) => message.handle === session().user.handle)) scrollToBottom();
}

// Re-reads the open conversation's newest page after a change.
export async function refreshOpenGroup() {
  const group = state.openGroup;
  try {
    const { body } = await api(`/api/messages/${group.uuid}?limit=${PAGE_SIZE}`);
    if (state.openGroup !== group) return;
    const before = state.messages.length;
    addMessages(body);
    if (state.messages.length > before) markReadIfSeen();
  } catch {
    // The next change or a reload tries again.
  }
}
