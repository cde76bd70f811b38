using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Time;
using Cruddur.Messaging.Users;
using Microsoft.Extensions.Logging;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Messaging.Table;

/// <summary>A page of rows newest first; <see cref="LastSortKey"/> is where the next page starts, null on the last page.</summary>
internal sealed record RowsPage<T>(IReadOnlyList<T> Items, string? LastSortKey);

/// <summary>What became of an attempt to create a pair's group.</summary>
internal enum NewGroupResult
{
    /// <summary>The group, pair, both rows and the first message are written.</summary>
    Created,

    /// <summary>The pair already has a group (the other side created it meanwhile); nothing was written.</summary>
    PairExists,

    /// <summary>A participant already has a group row at this microsecond; nothing was written.</summary>
    RowTimeTaken,

    /// <summary>Another transaction on the same items was in flight; nothing was written.</summary>
    Conflict,
}

/// <summary>
/// The requests of patterns A–D on the messages table, and the GSI read of a group's rows that pattern E and the
/// membership check share. Every call goes through the <see cref="TableGateway"/>.
/// </summary>
internal sealed class MessageTable(TableGateway table, ILogger<MessageTable> logger)
{
    private const string NotExists = "attribute_not_exists(pk)";
    private const string ConditionalCheckFailed = "ConditionalCheckFailed";
    private const string TransactionConflict = "TransactionConflict";

    // Collisions start at one microsecond apart; after a few, jump past the newest message instead of walking one by one.
    private const int CollisionsBeforeJump = 2;
    private const int MaxCollisions = 1000;

    // Group rows read per call beyond the page: room for the duplicate rows a move by pattern E leaves for a moment.
    private const int GroupRowSlack = 2;

    /// <summary>
    /// A — up to <paramref name="limit"/> messages of a group, newest first, starting after a sort key, and the group's
    /// read marker. The marker sorts above every message, so the first page's query returns it too (one call); an older
    /// page reads it beside the page.
    /// </summary>
    public async Task<(RowsPage<Message> Page, ReadMarker Marker)> QueryMessagesAsync(Guid messageGroupUuid, string? startAfterSortKey, int limit, CancellationToken cancellationToken)
    {
        var pk = MessagesPk(messageGroupUuid);
        var firstPage = startAfterSortKey is null;
        var marker = firstPage ? null : GetReadMarkerAsync(messageGroupUuid, cancellationToken);

        // One more than the page, so the last page is known to be the last and announces no cursor (and the marker).
        var request = NewestFirst(pk, startAfterSortKey, limit + (firstPage ? 2 : 1));
        var response = await table.QueryItemsAsync("A.query", request, cancellationToken);
        var readMarker = ReadMarker.None;
        var messages = new List<Message>(limit);
        var (count, lastSortKey, more) = (0, (string?)null, false);
        foreach (var item in response.Items)
        {
            var sortKey = item.Text(Sk);
            if (sortKey == ReadMarkerSk)
            {
                readMarker = ReadMarker.OfItem(item);
                continue;
            }

            if (++count > limit)
            {
                more = true;
                break;
            }

            lastSortKey = sortKey;
            if (MessageItems.ReadMessage(item) is { } message)
            {
                messages.Add(message);
            }
            else
            {
                logger.MalformedItem(pk, sortKey);
            }
        }

        return (new(messages, more ? lastSortKey : null), marker is null ? readMarker : await marker);
    }

    /// <summary>A group's read marker (eventually consistent, like the page it goes with).</summary>
    private async Task<ReadMarker> GetReadMarkerAsync(Guid messageGroupUuid, CancellationToken cancellationToken)
    {
        var request = new GetItemRequest { Key = Key(MessagesPk(messageGroupUuid), ReadMarkerSk) };
        var response = await table.GetItemAsync("A.get_read_marker", request, cancellationToken);
        return ReadMarker.Of(response.Item);
    }

    /// <summary>
    /// B — up to <paramref name="limit"/> distinct groups of an owner, newest first. Rows of a group already seen
    /// (the older row of a move in progress) are skipped; reads go on until the page is full or the rows end.
    /// </summary>
    public async Task<RowsPage<MessageGroup>> QueryGroupsAsync(Guid owner, string? startAfterSortKey, int limit, CancellationToken cancellationToken)
    {
        var pk = GroupRowPk(owner);
        var groups = new List<(MessageGroup Group, string SortKey)>(limit + 1);
        var seen = new HashSet<Guid>();
        var request = NewestFirst(pk, startAfterSortKey, limit + 1 + GroupRowSlack);
        await foreach (var page in table.QueryItemPagesAsync("B.query", request, cancellationToken))
        {
            foreach (var item in page.Items)
            {
                if (MessageItems.ReadGroupRow(item) is not { } group)
                {
                    logger.MalformedItem(pk, item.Text(Sk));
                }
                else if (seen.Add(group.Uuid) && groups.Count <= limit)
                {
                    groups.Add((group, item.Text(Sk)!));
                }
            }

            if (groups.Count > limit)
            {
                break;
            }
        }

        var more = groups.Count > limit;
        return new(groups.Take(limit).Select(row => row.Group).ToArray(), more ? groups[limit - 1].SortKey : null);
    }

    /// <summary>
    /// The unread messages over all of an owner's group rows (B's partition, every page, the read state only). Its cost
    /// grows with the number of conversations, not of messages: about 0.5 RCU per 4 KB of rows.
    /// </summary>
    public async Task<int> CountUnreadAsync(Guid owner, CancellationToken cancellationToken)
    {
        var request = NewestFirst(GroupRowPk(owner), null, 1000);
        request.ProjectionExpression = "#g, #u";
        request.ExpressionAttributeNames = new() { ["#g"] = MessageGroupUuid, ["#u"] = UnreadTimes };
        var rows = await table.QueryAllAsync("B.count_unread", request, cancellationToken);

        // A move in progress shows a group twice for a moment: count each group once, at its most unread copy.
        return rows
            .GroupBy(row => MessageItems.TextOf(row, MessageGroupUuid) ?? "", StringComparer.Ordinal)
            .Sum(group => group.Max(row => GroupRowReadState.Of(row).UnreadCount));
    }

    /// <summary>The members named by a group item (consistent read), or null when the group has no group item.</summary>
    public async Task<IReadOnlyList<Guid>?> GetGroupMembersAsync(Guid messageGroupUuid, CancellationToken cancellationToken)
    {
        var request = new GetItemRequest
        {
            Key = Key(GroupPk(messageGroupUuid), GroupSk),
            ConsistentRead = true,
            ProjectionExpression = MemberUuids,
        };
        var response = await table.GetItemAsync("membership.get_group", request, cancellationToken);
        return MessageItems.ReadGroupMembers(response.Item);
    }

    /// <summary>
    /// Every group row of a group, from the GSI (eventually consistent), all pages: the rows pattern E moves, and the
    /// members of a group the original scripts wrote (no group item). Items without an owner are left out.
    /// </summary>
    public async Task<IReadOnlyList<Dictionary<string, AttributeValue>>> QueryGroupRowsAsync(Guid messageGroupUuid, string operation, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            IndexName = GroupIndexName,
            KeyConditionExpression = "#g = :g",
            ExpressionAttributeNames = new() { ["#g"] = MessageGroupUuid },
            ExpressionAttributeValues = new() { [":g"] = MessageItems.S(messageGroupUuid.ToString("D")) },
        };
        var rows = await table.QueryAllAsync(operation, request, cancellationToken);
        return rows.Where(row => MessageItems.ReadGroupRowOwner(row) is not null).ToList();
    }

    /// <summary>An owner's rows of a group from <paramref name="fromSk"/> on, read consistently from the base table (rows only move forward).</summary>
    public Task<List<Dictionary<string, AttributeValue>>> QueryOwnerRowsAsync(string ownerPk, string groupUuid, string fromSk, string operation, CancellationToken cancellationToken) =>
        table.QueryAllAsync(
            operation,
            new QueryRequest
            {
                ConsistentRead = true,
                KeyConditionExpression = "#pk = :pk AND #sk >= :from",
                FilterExpression = "#g = :g",
                ExpressionAttributeNames = new() { ["#pk"] = Pk, ["#sk"] = Sk, ["#g"] = MessageGroupUuid },
                ExpressionAttributeValues = new()
                {
                    [":pk"] = MessageItems.S(ownerPk),
                    [":from"] = MessageItems.S(fromSk),
                    [":g"] = MessageItems.S(groupUuid),
                },
            },
            cancellationToken);

    /// <summary>The owners of a group's rows (see <see cref="QueryGroupRowsAsync"/>).</summary>
    public static IReadOnlyList<Guid> Owners(IEnumerable<Dictionary<string, AttributeValue>> rows) =>
        rows.Select(MessageItems.ReadGroupRowOwner).OfType<Guid>().Distinct().ToArray();

    /// <summary>The group of a pair of users (consistent read), or null when they have none of ours.</summary>
    public async Task<Guid?> GetPairGroupAsync(Guid userA, Guid userB, CancellationToken cancellationToken)
    {
        var request = new GetItemRequest
        {
            Key = Key(PairPk(userA, userB), PairSk),
            ConsistentRead = true,
            ProjectionExpression = GroupUuid,
        };
        var response = await table.GetItemAsync("D.get_pair", request, cancellationToken);
        return MessageItems.ReadPairGroup(response.Item);
    }

    /// <summary>
    /// Writes a message item without ever overwriting one: when its microsecond is taken, the message moves on
    /// (one microsecond, or past the newest message after repeated collisions) and is written again.
    /// Returns the message as stored.
    /// </summary>
    public async Task<Message> PutMessageAsync(Message message, string operation, CancellationToken cancellationToken)
    {
        for (var collisions = 0; ; collisions++)
        {
            var request = new PutItemRequest
            {
                Item = MessageItems.Message(message),
                ConditionExpression = NotExists,
                ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
            };
            try
            {
                await table.PutItemAsync(operation, request, cancellationToken);
                return message;
            }
            catch (ConditionalCheckFailedException taken) when (IsSameMessage(taken.Item, message))
            {
                // The SDK retried a put whose first attempt was written but whose answer was lost (a dropped
                // connection, a time-out): the item in the way is this very message. Moving on would store it twice.
                return message;
            }
            catch (ConditionalCheckFailedException) when (collisions < MaxCollisions)
            {
                var next = MessageTimestamp.NextMicrosecond(message.CreatedAt);
                if (collisions >= CollisionsBeforeJump
                    && await NewestMessageTimeAsync(message.MessageGroupUuid, cancellationToken) is { } newest
                    && newest >= next)
                {
                    next = MessageTimestamp.NextMicrosecond(newest);
                }

                logger.MessageTimeTaken(message.MessageGroupUuid, message.CreatedAt, next);
                message = message with { CreatedAt = next };
            }
        }
    }

    private static bool IsSameMessage(Dictionary<string, AttributeValue>? existing, Message message) =>
        existing is not null
        && existing.TryGetValue(MessageUuid, out var uuid)
        && string.Equals(uuid.S, message.Uuid.ToString("D"), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// D — one transaction: the group item and the pair item (both only if absent), both participants' group rows
    /// and the first message. All or nothing.
    /// </summary>
    public async Task<NewGroupResult> CreateGroupAsync(Message first, UserSummary other, CancellationToken cancellationToken)
    {
        var me = first.Sender;
        var group = first.MessageGroupUuid;
        var at = first.CreatedAt;
        var request = new TransactWriteItemsRequest
        {
            TransactItems =
            [
                PutIfAbsent(MessageItems.Group(group, me.Uuid, other.Uuid, at)),
                PutIfAbsent(MessageItems.Pair(me.Uuid, other.Uuid, group, at)),
                PutIfAbsent(MessageItems.GroupRow(me.Uuid, new MessageGroup(group, other, first.Text, at))),
                PutIfAbsent(MessageItems.GroupRow(other.Uuid, new MessageGroup(group, me, first.Text, at))),
                PutIfAbsent(MessageItems.Message(first)),
            ],
            // The SDK retries with the same token, so a retry of a transaction that did commit writes nothing twice.
            ClientRequestToken = Guid.NewGuid().ToString("N"),
        };
        try
        {
            await table.TransactWriteItemsAsync("D.transact", request, cancellationToken);
            return NewGroupResult.Created;
        }
        catch (TransactionCanceledException exception)
        {
            var reasons = exception.CancellationReasons ?? [];
            bool Failed(int index, string code) => index < reasons.Count && reasons[index].Code == code;
            return Failed(1, ConditionalCheckFailed) ? NewGroupResult.PairExists
                : Failed(2, ConditionalCheckFailed) || Failed(3, ConditionalCheckFailed) ? NewGroupResult.RowTimeTaken
                : reasons.Any(reason => reason.Code == TransactionConflict) ? NewGroupResult.Conflict
                : throw new InvalidOperationException($"Creating message group {group} was cancelled: {string.Join(", ", reasons.Select(reason => reason.Code))}.", exception);
        }
    }

    private async Task<DateTimeOffset?> NewestMessageTimeAsync(Guid messageGroupUuid, CancellationToken cancellationToken)
    {
        var request = NewestFirst(MessagesPk(messageGroupUuid), null, 1);
        request.KeyConditionExpression += " AND sk < :marker";
        request.ExpressionAttributeValues[":marker"] = MessageItems.S(ReadMarkerSk);
        request.ConsistentRead = true;
        request.ProjectionExpression = Sk;
        var response = await table.QueryAsync("put_message.query_newest", request, cancellationToken);
        return response.Items is [var newest, ..] && MessageTimestamp.TryParse(SortKey(newest), out var time) ? time : null;
    }

    private static QueryRequest NewestFirst(string pk, string? startAfterSortKey, int limit) => new()
    {
        KeyConditionExpression = "pk = :pk",
        ExpressionAttributeValues = new() { [":pk"] = MessageItems.S(pk) },
        ScanIndexForward = false,
        Limit = limit,
        ExclusiveStartKey = startAfterSortKey is null ? null : Key(pk, startAfterSortKey),
    };

    private static TransactWriteItem PutIfAbsent(Dictionary<string, AttributeValue> item) => new()
    {
        Put = new Put { Item = item, ConditionExpression = NotExists },
    };

    private static Dictionary<string, AttributeValue> Key(string pk, string sk) => new()
    {
        [Pk] = MessageItems.S(pk),
        [Sk] = MessageItems.S(sk),
    };

    private static string? SortKey(Dictionary<string, AttributeValue> item) => item.TryGetValue(Sk, out var sk) ? sk.S : null;
}
