// The conversations list (pattern B): newest first, more pages on scroll-down, re-read when something changes.
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
    button.onclick = () => open({ uuid: group.uuid, handle: group.handle, display_name: group.display_name });
    item.append(button);
    return item;
  }));
}
