using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table.Lean;
using Cruddur.Messaging.Time;
using Cruddur.Messaging.Users;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Messaging.Table;

/// <summary>
/// Turns records into table items and back, in the original Cruddur's item shapes (plus our group and pair items).
/// Readers are tolerant: items written by the original Python scripts (naive timestamps) read the same.
/// </summary>
internal static class MessageItems
{
    /// <summary>A message item: <c>MSG#{group}</c> / created time. It has no <c>message_group_uuid</c>, so the GSI stays sparse.</summary>
    public static Dictionary<string, AttributeValue> Message(Message message) => new()
    {
        [Pk] = S(MessagesPk(message.MessageGroupUuid)),
        [Sk] = S(MessageTimestamp.Format(message.CreatedAt)),
        [MessageUuid] = S(message.Uuid.ToString("D")),
        [MessageTableKeys.Message] = S(message.Text),
        [UserUuid] = S(message.Sender.Uuid.ToString("D")),
        [UserDisplayName] = S(message.Sender.DisplayName),
        [UserHandle] = S(message.Sender.Handle),
    };

    /// <summary>A participant's group row: <c>GRP#{owner}</c> / last message time, naming the other participant.</summary>
    public static Dictionary<string, AttributeValue> GroupRow(Guid ownerUuid, MessageGroup group) => new()
    {
        [Pk] = S(GroupRowPk(ownerUuid)),
        [Sk] = S(MessageTimestamp.Format(group.LastMessageAt)),
        [MessageGroupUuid] = S(group.Uuid.ToString("D")),
        [MessageTableKeys.Message] = S(group.LastMessage),
        [UserUuid] = S(group.Other.Uuid.ToString("D")),
        [UserDisplayName] = S(group.Other.DisplayName),
        [UserHandle] = S(group.Other.Handle),
    };

    /// <summary>Our group item: the two members, for a consistent membership check.</summary>
    public static Dictionary<string, AttributeValue> Group(Guid messageGroupUuid, Guid memberA, Guid memberB, DateTimeOffset createdAt) => new()
    {
        [Pk] = S(GroupPk(messageGroupUuid)),
        [Sk] = S(GroupSk),
        [GroupUuid] = S(messageGroupUuid.ToString("D")),
        [MemberUuids] = new AttributeValue { SS = [memberA.ToString("D"), memberB.ToString("D")] },
        [CreatedAt] = S(MessageTimestamp.Format(createdAt)),
    };

    /// <summary>Our pair item: points from the two users (sorted) to their group.</summary>
    public static Dictionary<string, AttributeValue> Pair(Guid memberA, Guid memberB, Guid messageGroupUuid, DateTimeOffset createdAt) => new()
    {
        [Pk] = S(PairPk(memberA, memberB)),
        [Sk] = S(PairSk),
        [GroupUuid] = S(messageGroupUuid.ToString("D")),
        [CreatedAt] = S(MessageTimestamp.Format(createdAt)),
    };

    /// <summary>Reads a message item; null when the item is not a well-formed message.</summary>
    public static Message? ReadMessage(IReadOnlyDictionary<string, AttributeValue> item) => ReadMessage(new SdkItem(item));

    /// <inheritdoc cref="ReadMessage(IReadOnlyDictionary{string, AttributeValue})"/>
    public static Message? ReadMessage<TItem>(TItem item)
        where TItem : IItemAttributes =>
        item.Text(Pk) is { } pk && pk.StartsWith("MSG#", StringComparison.Ordinal)
        && Guid.TryParse(pk.AsSpan(4), out var groupUuid)
        && MessageTimestamp.TryParse(item.Text(Sk), out var createdAt)
        && Guid.TryParse(item.Text(MessageUuid), out var messageUuid)
        && ReadUser(item) is { } sender
            ? new Message(messageUuid, groupUuid, item.Text(MessageTableKeys.Message) ?? "", sender, createdAt)
            : null;

    /// <summary>Reads a group row; null when the item is not a well-formed group row.</summary>
    public static MessageGroup? ReadGroupRow(IReadOnlyDictionary<string, AttributeValue> item) => ReadGroupRow(new SdkItem(item));

    /// <inheritdoc cref="ReadGroupRow(IReadOnlyDictionary{string, AttributeValue})"/>
    public static MessageGroup? ReadGroupRow<TItem>(TItem item)
        where TItem : IItemAttributes =>
        Guid.TryParse(item.Text(MessageGroupUuid), out var groupUuid)
        && MessageTimestamp.TryParse(item.Text(Sk), out var lastMessageAt)
        && ReadUser(item) is { } other
            ? new MessageGroup(groupUuid, other, item.Text(MessageTableKeys.Message) ?? "", lastMessageAt) { UnreadCount = GroupRowReadState.OfItem(item).UnreadCount }
            : null;

    /// <summary>The owner of a group row (<c>GRP#{owner}</c>), or null.</summary>
    public static Guid? ReadGroupRowOwner(IReadOnlyDictionary<string, AttributeValue> item) =>
        Text(item, Pk) is { } pk && pk.StartsWith("GRP#", StringComparison.Ordinal) && Guid.TryParse(pk.AsSpan(4), out var owner)
            ? owner
            : null;

    /// <summary>The members named by a group item, or null when it is not one.</summary>
    public static IReadOnlyList<Guid>? ReadGroupMembers(IReadOnlyDictionary<string, AttributeValue>? item) =>
        item is not null && item.TryGetValue(MemberUuids, out var members) && members.SS is { Count: 2 } uuids
            ? uuids.Select(Guid.Parse).ToArray()
            : null;

    /// <summary>The group a pair item points at, or null when it is not one.</summary>
    public static Guid? ReadPairGroup(IReadOnlyDictionary<string, AttributeValue>? item) =>
        item is not null && Guid.TryParse(Text(item, GroupUuid), out var groupUuid) ? groupUuid : null;

    public static AttributeValue S(string value) => new() { S = value };

    private static UserSummary? ReadUser<TItem>(TItem item)
        where TItem : IItemAttributes =>
        Guid.TryParse(item.Text(UserUuid), out var uuid)
            ? new UserSummary(uuid, item.Text(UserHandle) ?? "", item.Text(UserDisplayName) ?? "")
            : null;

    private static string? Text(IReadOnlyDictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.S : null;

    /// <summary>
    /// A group row moved to a new message: a copy of <paramref name="row"/> (same owner, group and other participant,
    /// and any attribute we do not know) with sk = <paramref name="at"/> and <c>message</c> = <paramref name="text"/>.
    /// </summary>
    public static Dictionary<string, AttributeValue> MovedGroupRow(IReadOnlyDictionary<string, AttributeValue> row, DateTimeOffset at, string text) =>
        new(row)
        {
            [Sk] = S(MessageTimestamp.Format(at)),
            [MessageTableKeys.Message] = S(text),
        };

    /// <summary>A stream checkpoint item: the last sequence number handled in one shard of one stream.</summary>
    public static Dictionary<string, AttributeValue> StreamCheckpoint(string streamLabel, string shardId, string sequenceNumber, DateTimeOffset updatedAt) => new()
    {
        [Pk] = S(StreamCheckpointPk(streamLabel)),
        [Sk] = S(shardId),
        [MessageTableKeys.SequenceNumber] = S(sequenceNumber),
        [CreatedAt] = S(MessageTimestamp.Format(updatedAt)),
    };

    /// <summary>Reads a stream checkpoint item as (shard id, sequence number), or null.</summary>
    public static (string ShardId, string SequenceNumber)? ReadStreamCheckpoint(IReadOnlyDictionary<string, AttributeValue> item) =>
        Text(item, Sk) is { } shardId && Text(item, MessageTableKeys.SequenceNumber) is { } sequenceNumber ? (shardId, sequenceNumber) : null;

    /// <summary>A dead-letter item: a stream record pattern E passed over, with why and when.</summary>
    public static Dictionary<string, AttributeValue> DeadLetter(DeadLetterItem letter) => new()
    {
        [Pk] = S(DeadLetterPk),
        [Sk] = S(DeadLetterSk(letter.StreamLabel, letter.SequenceNumber)),
        [StreamLabel] = S(letter.StreamLabel),
        [ShardId] = S(letter.ShardId),
        [MessageTableKeys.SequenceNumber] = S(letter.SequenceNumber),
        [StreamRecordJson] = S(letter.RecordJson),
        [LastError] = S(letter.Error),
        [Attempts] = new AttributeValue { N = letter.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        [CreatedAt] = S(MessageTimestamp.Format(letter.KeptAt)),
    };

    /// <summary>Reads a dead-letter item; null when the item is not one.</summary>
    public static DeadLetterItem? ReadDeadLetter(IReadOnlyDictionary<string, AttributeValue> item) =>
        IsDeadLetterPk(Text(item, Pk))
        && Text(item, StreamLabel) is { } label
        && Text(item, MessageTableKeys.SequenceNumber) is { } sequenceNumber
        && Text(item, StreamRecordJson) is { } record
            ? new DeadLetterItem(
                label,
                Text(item, ShardId) ?? "",
                sequenceNumber,
                record,
                Text(item, LastError) ?? "",
                item.TryGetValue(Attempts, out var attempts) && int.TryParse(attempts.N, System.Globalization.CultureInfo.InvariantCulture, out var count) ? count : 0,
                MessageTimestamp.TryParse(Text(item, CreatedAt), out var keptAt) ? keptAt : DateTimeOffset.MinValue)
            : null;

    /// <summary>Group rows newest first (by time, then sort key).</summary>
    public static IOrderedEnumerable<Dictionary<string, AttributeValue>> NewestFirst(IEnumerable<Dictionary<string, AttributeValue>> rows) =>
        rows.OrderByDescending(RowTime).ThenByDescending(row => Text(row, Sk), StringComparer.Ordinal);

    /// <summary>A row's time (tolerant of the original's naive timestamps); an unreadable one counts as oldest.</summary>
    public static DateTimeOffset RowTime(IReadOnlyDictionary<string, AttributeValue> row) =>
        MessageTimestamp.TryParse(Text(row, Sk), out var time) ? time : DateTimeOffset.MinValue;

    /// <summary>The text attribute <paramref name="name"/> of an item, or null.</summary>
    public static string? TextOf(IReadOnlyDictionary<string, AttributeValue> item, string name) => Text(item, name);
}
