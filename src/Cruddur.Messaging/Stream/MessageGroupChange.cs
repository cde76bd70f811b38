using System.Text.Json.Serialization;

namespace Cruddur.Messaging.Stream;

/// <summary>
/// What the stream handler publishes about a group: its <see cref="Kind"/> (<see cref="MessageGroupChangeKinds"/>), the
/// group and the members whose listeners should hear it. Sent whole as JSON on the Redis channel, so a new kind or field
/// travels without a new message format.
/// </summary>
public sealed record MessageGroupChange(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("message_group_uuid")] Guid MessageGroupUuid,
    [property: JsonPropertyName("member_uuids")] IReadOnlyList<Guid> MemberUuids);

/// <summary>The kinds of <see cref="MessageGroupChange"/>.</summary>
public static class MessageGroupChangeKinds
{
    /// <summary>The group's rows now show a new message.</summary>
    public const string Message = "message";
}

/// <summary>Where the stream handler sends its changes: this process's listeners, or every instance's through Redis.</summary>
public interface IMessageGroupChangePublisher
{
    /// <summary>Publishes <paramref name="change"/>; never throws for an unreachable backplane (the rows have moved already).</summary>
    Task PublishAsync(MessageGroupChange change, CancellationToken cancellationToken);
}

[JsonSerializable(typeof(MessageGroupChange))]
internal sealed partial class MessageGroupChangeJsonContext : JsonSerializerContext;
