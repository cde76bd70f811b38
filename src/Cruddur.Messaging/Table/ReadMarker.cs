using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Table.Lean;
using Cruddur.Messaging.Time;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Messaging.Table;

/// <summary>
/// A group's read marker (<c>MSG#{group}</c> / <see cref="ReadMarkerSk"/>): how far each member has read, one attribute
/// per member. It copies the positions kept on the group rows (<see cref="GroupRowReadState"/>, which stay the truth for
/// unread counts) into the messages partition, so that pattern A learns what the other member has read from the same
/// Query that reads the page. It has no <c>message_group_uuid</c>: it stays out of the GSI.
/// </summary>
internal sealed record ReadMarker(IReadOnlyDictionary<Guid, DateTimeOffset> Positions)
{
    /// <summary>The marker of a group nobody has marked read.</summary>
    public static readonly ReadMarker None = new(new Dictionary<Guid, DateTimeOffset>());

    /// <summary>Reads a marker item; attributes it does not know are ignored.</summary>
    public static ReadMarker Of(IReadOnlyDictionary<string, AttributeValue>? item) =>
        OfItem(new SdkItem(item ?? new Dictionary<string, AttributeValue>()));

    /// <inheritdoc cref="Of(IReadOnlyDictionary{string, AttributeValue})"/>
    public static ReadMarker OfItem<TItem>(TItem item)
        where TItem : IItemAttributes
    {
        var positions = new Dictionary<Guid, DateTimeOffset>();
        foreach (var name in item.Names)
        {
            if (name.StartsWith(ReadMarkerPrefix, StringComparison.Ordinal)
                && Guid.TryParse(name.AsSpan(ReadMarkerPrefix.Length), out var member)
                && MessageTimestamp.TryParse(item.Text(name), out var readAt))
            {
                positions[member] = readAt;
            }
        }

        return new ReadMarker(positions);
    }

    /// <summary>How far the members other than <paramref name="reader"/> have read (the furthest), or null.</summary>
    public DateTimeOffset? ReadByOthers(Guid reader) =>
        Positions.Where(position => position.Key != reader).Select(position => (DateTimeOffset?)position.Value).Max();

    /// <summary>The update that moves <paramref name="member"/>'s position forward to <paramref name="readAt"/>, never back.</summary>
    public static UpdateItemRequest MoveForward(Guid messageGroupUuid, Guid member, DateTimeOffset readAt) => new()
    {
        Key = new() { [Pk] = MessageItems.S(MessagesPk(messageGroupUuid)), [Sk] = MessageItems.S(ReadMarkerSk) },
        UpdateExpression = "SET #at = :at",
        ConditionExpression = "attribute_not_exists(#at) OR #at < :at",
        ExpressionAttributeNames = new() { ["#at"] = ReadMarkerAttribute(member) },
        ExpressionAttributeValues = new() { [":at"] = MessageItems.S(MessageTimestamp.Format(readAt)) },
    };
}
