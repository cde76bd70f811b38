using Cruddur.Messaging.Users;

namespace Cruddur.Messaging.Messages;

/// <summary>A message of a group, as stored in its <c>MSG#{group}</c> item.</summary>
public sealed record Message(Guid Uuid, Guid MessageGroupUuid, string Text, UserSummary Sender, DateTimeOffset CreatedAt);
