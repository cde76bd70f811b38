using Cruddur.Messaging.Users;

namespace Cruddur.Messaging.MessageGroups;

/// <summary>One participant's view of a conversation: the other person and the latest message (its <c>GRP#{me}</c> row).</summary>
public sealed record MessageGroup(Guid Uuid, UserSummary Other, string LastMessage, DateTimeOffset LastMessageAt);
