using Cruddur.Messaging.Users;

namespace Cruddur.Messaging.Messages;

/// <summary>A message of a group, as stored in its <c>MSG#{group}</c> item.</summary>
public sealed record Message(Guid Uuid, Guid MessageGroupUuid, string Text, UserSummary Sender, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// In pattern A: true when the reader's counterpart (the member who is not the reader) has read up to this message
    /// or past it. Set only by <c>ListMessagesAsync</c>; false elsewhere.
    /// </summary>
    public bool ReadByOther { get; init; }
}
