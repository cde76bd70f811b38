// The conversations list (pattern B): newest first, more pages on scroll-down, re-read when something changes.
// Conversations with unread messages are bold with a count badge; the total goes into the page title.
import { api } from "../api.js";
import { $ } from "../dom.js";
import { PAGE_SIZE, state } from "../state.js";
import { timeElement } from "../time.js";

let open = () => {};

// onOpen(group) opens a conversation picked from the list.
export function setUpConversationList(onOpen) {
  open = onOpen;
  $("groups-pane").onscroll = onGroupsScroll;
}

export async function loadGroups() {
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
    loadUnreadTotal();
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

export function renderGroups() {
  const list = $("groups");
  // A group keeps its list item across renders and only moves when its place changes: a live update that redraws the
  // list while a click or the keyboard focus is on a group does not lose them.
  const kept = new Map([...list.children].map((item) => [item.dataset.uuid, item]));
  const items = state.groups.map((group) => renderGroup(kept.get(group.uuid) ?? document.createElement("li"), group));
  items.forEach((item, index) => {
    if (list.children[index] !== item) list.insertBefore(item, list.children[index] ?? null);
  });
  while (list.children.length > items.length) list.lastElementChild.remove();
}

function renderGroup(item, group) {
  item.dataset.uuid = group.uuid;
  const button = item.querySelector("button") ?? item.appendChild(document.createElement("button"));
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
  const unread = group.unread_count ?? 0;
  button.classList.toggle("unread", unread > 0);
  if (unread > 0) {
    const badge = document.createElement("span");
    badge.className = "unread-badge";
    badge.setAttribute("aria-hidden", "true");
    badge.textContent = unreadText(unread);
    const spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.textContent = `, ${unreadText(unread)} unread`;
    line.append(badge, spoken);
  }
  const handle = document.createElement("div");
  handle.className = "group-handle";
  handle.textContent = `@${group.handle}`;
  const message = document.createElement("div");
  message.className = "group-message";
  message.textContent = group.message;
  button.replaceChildren(line, handle, message);
  button.onclick = () => open({ uuid: group.uuid, handle: group.handle, display_name: group.display_name });
  return item;
}

// The API counts exactly up to its cap (50); past it the badge says "50+".
const UNREAD_CAP = 50;

function unreadText(count) {
  return count >= UNREAD_CAP ? `${UNREAD_CAP}+` : String(count);
}

// The total for the page title, "(3) Cruddur Messages", and a polite announcement for screen readers.
export async function loadUnreadTotal() {
  try {
    const { body } = await api("/api/message_groups/unread");
    showUnreadTotal(body.unread_count);
  } catch {
    // The next change tries again.
  }
}

function showUnreadTotal(total) {
  document.title = total > 0 ? `(${unreadText(total)}) Cruddur Messages` : "Cruddur Messages";
  $("unread-total").textContent = total > 0 ? `${unreadText(total)} unread messages` : "";
}

// Marks a conversation read (up to its newest message) and clears its badge here; other tabs hear a read event.
export async function markRead(uuid) {
  try {
    await api(`/api/message_groups/${uuid}/read`, { method: "POST" });
  } catch {
    return;
  }
  const group = state.groups.find((candidate) => candidate.uuid === uuid);
  if (group?.unread_count) {
    group.unread_count = 0;
    renderGroups();
  }
  loadUnreadTotal();
}
