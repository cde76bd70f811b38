using Cruddur.Messaging.Users;

namespace Cruddur.Messaging.MessageGroups;

/// <summary>One participant's view of a conversation: the other person and the latest message (its <c>GRP#{me}</c> row).</summary>
public sealed record MessageGroup(Guid Uuid, UserSummary Other, string LastMessage, DateTimeOffset LastMessageAt)
{
    /// <summary>
    /// Messages from the other participant newer than my read position, exact up to <see cref="MaxUnreadCount"/>
    /// (a larger number reads as that cap). Rows written before read positions existed read 0.
    /// </summary>
    public int UnreadCount { get; init; }

    /// <summary>The cap of <see cref="UnreadCount"/>: past it the count stays here until the group is read.</summary>
    public const int MaxUnreadCount = 50;
}
