// The "@handle" field: looks the user up, then opens the conversation with them (an existing one, or a new one).
import { api } from "../api.js";
import { $ } from "../dom.js";
import { errorWords } from "../error-words.js";
import { session } from "../session.js";
import { state } from "../state.js";
import { openGroup } from "./conversation.js";

export function setUpNewConversation() {
  $("new-conversation").onsubmit = onNewConversation;
}

async function onNewConversation(event) {
  event.preventDefault();
  const handle = $("new-handle").value.trim().replace(/^@/, "");
  $("new-conversation-error").textContent = "";
  if (!handle) return;
  try {
    const { body: user } = await api(`/api/users/@${encodeURIComponent(handle)}/short`);
    if (user.uuid === session().user.uuid) {
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
