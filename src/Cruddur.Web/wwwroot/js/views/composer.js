// The composer: counts characters as the server does (grapheme clusters), sends with Enter and a fresh Idempotency-Key.
import { api } from "../api.js";
import { $ } from "../dom.js";
import { errorWords } from "../error-words.js";
import { state } from "../state.js";
import { loadGroups } from "./conversation-list.js";
import { addMessages, openGroup } from "./conversation.js";

const MAX_CHARS = 1024;
const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function graphemeCount(text) {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

export function setUpComposer() {
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
