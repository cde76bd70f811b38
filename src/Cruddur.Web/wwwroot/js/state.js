// What the views share: the loaded conversations, the open conversation and its messages, their paging cursors.
export const PAGE_SIZE = 30;

export const state = {
  groups: [],
  groupsNext: null,
  loadingGroups: false,
  openGroup: null, // { uuid, handle, display_name } or { handle, display_name, uuid: null } for a new conversation
  messages: [],
  messagesNext: null,
  loadingOlder: false,
};
