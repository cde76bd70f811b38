// Live updates: reads GET /api/events (server-sent events over fetch, so the token goes in a header, not the URL),
// re-reads what changed (kind "message": a new message; kind "read": a member read, so counts and "Seen" move), and on a broken stream reconnects with a growing pause and re-reads what it may have missed.
import { session, signOut } from "./session.js";
import { state } from "./state.js";
import { loadGroups } from "./views/conversation-list.js";
import { refreshOpenGroup } from "./views/conversation.js";

export async function listenForChanges() {
  let delay = 1000;
  let reconnecting = false;
  while (session()) {
    try {
      const response = await fetch("/api/events", { headers: { Authorization: `Bearer ${session().token}`, Accept: "text/event-stream" } });
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
  // resync: the server was cut off from other instances' news for a while; anything may have changed.
  if (event.resync || (event.message_group_uuid && event.message_group_uuid === state.openGroup?.uuid)) {
    refreshOpenGroup();
  }
}
