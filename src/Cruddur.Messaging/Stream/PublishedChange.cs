using System.Text.Json.Serialization;
using Cruddur.Messaging.MessageGroups;

namespace Cruddur.Messaging.Stream;

/// <summary>
/// A <see cref="MessageGroupChange"/> with the members whose listeners should hear it, as it travels whole as JSON on the
/// Redis channel, so a new kind or field travels without a new message format.
/// </summary>
internal sealed record PublishedChange(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("message_group_uuid")] Guid MessageGroupUuid,
    [property: JsonPropertyName("member_uuids")] IReadOnlyList<Guid> MemberUuids);

[JsonSerializable(typeof(PublishedChange))]
internal sealed partial class PublishedChangeJsonContext : JsonSerializerContext;
