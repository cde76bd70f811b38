using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Paging;
using Cruddur.Messaging.Users;

namespace Cruddur.Messaging;

/// <summary>
/// The access patterns A–D for a signed-in user. Refusals come back as <see cref="MessagingError"/>s with
/// stable codes; a group the caller is not a member of is reported as not found.
/// </summary>
public sealed class Messaging
{
    /// <summary>A — the messages of a group, the newest page first, each page ordered oldest to newest.</summary>
    public Task<Outcome<Page<Message>>> ListMessagesAsync(UserSummary me, Guid messageGroupUuid, PageRequest page, CancellationToken cancellationToken) =>
        throw new NotImplementedException("pattern A: issue 3");

    /// <summary>B — my message groups, newest first.</summary>
    public Task<Outcome<Page<MessageGroup>>> ListMessageGroupsAsync(UserSummary me, PageRequest page, CancellationToken cancellationToken) =>
        throw new NotImplementedException("pattern B: issue 3");

    /// <summary>C — post a message to a group I belong to.</summary>
    public Task<Outcome<Message>> PostToGroupAsync(UserSummary me, Guid messageGroupUuid, string text, CancellationToken cancellationToken) =>
        throw new NotImplementedException("pattern C: issue 3");

    /// <summary>D — message a user by handle: the pair's existing group, or a new one.</summary>
    public Task<Outcome<Message>> PostToHandleAsync(UserSummary me, string handle, string text, CancellationToken cancellationToken) =>
        throw new NotImplementedException("pattern D: issue 3");
}
