using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
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
/// All DynamoDB access of patterns A–D on the messages table. Every call asks for consumed capacity (INDEXES),
/// records it under its operation name, logs it at debug and runs in a span.
/// </summary>
internal sealed class MessageTable(IAmazonDynamoDB dynamoDb, string tableName, ConsumedCapacityRecorder recorder, ILogger logger)
{
    private const string NotExists = "attribute_not_exists(pk)";
    private const string ConditionalCheckFailed = "ConditionalCheckFailed";
    private const string TransactionConflict = "TransactionConflict";

    // Collisions start at one microsecond apart; after a few, jump past the newest message instead of walking one by one.
    private const int CollisionsBeforeJump = 2;
    private const int MaxCollisions = 1000;

    // Group rows read per call beyond the page: room for the duplicate rows a move by pattern E leaves for a moment.
    private const int GroupRowSlack = 2;

    /// <summary>A — up to <paramref name="limit"/> messages of a group, newest first, starting after a sort key.</summary>
    public async Task<RowsPage<Message>> QueryMessagesAsync(Guid messageGroupUuid, string? startAfterSortKey, int limit, CancellationToken cancellationToken)
    {
        var pk = MessagesPk(messageGroupUuid);
        // One more than the page, so the last page is known to be the last and announces no cursor.
        var request = NewestFirst(pk, startAfterSortKey, limit + 1);
        var response = await CallAsync("A.query", CapacityKind.Read, request, static (db, r, ct) => db.QueryAsync(r, ct), static r => One(r.ConsumedCapacity), cancellationToken);
        var items = response.Items ?? [];
        var messages = new List<Message>(Math.Min(items.Count, limit));
        foreach (var item in items.Take(limit))
        {
            if (MessageItems.ReadMessage(item) is { } message)
            {
                messages.Add(message);
            }
            else
            {
                logger.MalformedItem(pk, SortKey(item));
            }
        }

        return new(messages, items.Count > limit ? SortKey(items[limit - 1]) : null);
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
        Dictionary<string, AttributeValue>? startKey = startAfterSortKey is null ? null : Key(pk, startAfterSortKey);
        do
        {
            var request = NewestFirst(pk, null, limit + 1 - groups.Count + GroupRowSlack);
            request.ExclusiveStartKey = startKey;
            var response = await CallAsync("B.query", CapacityKind.Read, request, static (db, r, ct) => db.QueryAsync(r, ct), static r => One(r.ConsumedCapacity), cancellationToken);
            foreach (var item in response.Items ?? [])
            {
                if (MessageItems.ReadGroupRow(item) is not { } group)
                {
                    logger.MalformedItem(pk, SortKey(item));
                }
                else if (seen.Add(group.Uuid) && groups.Count <= limit)
                {
                    groups.Add((group, SortKey(item)!));
                }
            }

            startKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (groups.Count <= limit && startKey is not null);

        var more = groups.Count > limit;
        return new(groups.Take(limit).Select(row => row.Group).ToArray(), more ? groups[limit - 1].SortKey : null);
    }

    /// <summary>The members named by a group item (consistent read), or null when the group has no group item.</summary>
    public async Task<IReadOnlyList<Guid>?> GetGroupMembersAsync(Guid messageGroupUuid, CancellationToken cancellationToken)
    {
        var request = new GetItemRequest
        {
            TableName = tableName,
            Key = Key(GroupPk(messageGroupUuid), GroupSk),
            ConsistentRead = true,
            ProjectionExpression = MemberUuids,
            ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        };
        var response = await CallAsync("membership.get_group", CapacityKind.Read, request, static (db, r, ct) => db.GetItemAsync(r, ct), static r => One(r.ConsumedCapacity), cancellationToken);
        return MessageItems.ReadGroupMembers(response.Item);
    }

    /// <summary>
    /// The owners of a group's rows, from the GSI: the members of a group the original scripts wrote (no group item).
    /// </summary>
    public async Task<IReadOnlyList<Guid>> QueryGroupRowOwnersAsync(Guid messageGroupUuid, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = tableName,
            IndexName = GroupIndexName,
            KeyConditionExpression = "#g = :g",
            ExpressionAttributeNames = new() { ["#g"] = MessageGroupUuid },
            ExpressionAttributeValues = new() { [":g"] = MessageItems.S(messageGroupUuid.ToString("D")) },
            ProjectionExpression = Pk,
            // Two rows, plus the odd duplicate of a move in progress.
            Limit = 10,
            ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        };
        var response = await CallAsync("membership.query_rows", CapacityKind.Read, request, static (db, r, ct) => db.QueryAsync(r, ct), static r => One(r.ConsumedCapacity), cancellationToken);
        return (response.Items ?? []).Select(MessageItems.ReadGroupRowOwner).OfType<Guid>().Distinct().ToArray();
    }

    /// <summary>The group of a pair of users (consistent read), or null when they have none of ours.</summary>
    public async Task<Guid?> GetPairGroupAsync(Guid userA, Guid userB, CancellationToken cancellationToken)
    {
        var request = new GetItemRequest
        {
            TableName = tableName,
            Key = Key(PairPk(userA, userB), PairSk),
            ConsistentRead = true,
            ProjectionExpression = GroupUuid,
            ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        };
        var response = await CallAsync("D.get_pair", CapacityKind.Read, request, static (db, r, ct) => db.GetItemAsync(r, ct), static r => One(r.ConsumedCapacity), cancellationToken);
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
                TableName = tableName,
                Item = MessageItems.Message(message),
                ConditionExpression = NotExists,
                ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
            };
            try
            {
                await CallAsync(operation, CapacityKind.Write, request, static (db, r, ct) => db.PutItemAsync(r, ct), static r => One(r.ConsumedCapacity), cancellationToken);
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
            ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        };
        try
        {
            await CallAsync("D.transact", CapacityKind.Write, request, static (db, r, ct) => db.TransactWriteItemsAsync(r, ct), static r => r.ConsumedCapacity, cancellationToken);
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
        request.ConsistentRead = true;
        request.ProjectionExpression = Sk;
        var response = await CallAsync("put_message.query_newest", CapacityKind.Read, request, static (db, r, ct) => db.QueryAsync(r, ct), static r => One(r.ConsumedCapacity), cancellationToken);
        return response.Items is [var newest, ..] && MessageTimestamp.TryParse(SortKey(newest), out var time) ? time : null;
    }

    private QueryRequest NewestFirst(string pk, string? startAfterSortKey, int limit) => new()
    {
        TableName = tableName,
        KeyConditionExpression = "pk = :pk",
        ExpressionAttributeValues = new() { [":pk"] = MessageItems.S(pk) },
        ScanIndexForward = false,
        Limit = limit,
        ExclusiveStartKey = startAfterSortKey is null ? null : Key(pk, startAfterSortKey),
        ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
    };

    private TransactWriteItem PutIfAbsent(Dictionary<string, AttributeValue> item) => new()
    {
        Put = new Put { TableName = tableName, Item = item, ConditionExpression = NotExists },
    };

    private async Task<TResponse> CallAsync<TRequest, TResponse>(
        string operation,
        CapacityKind kind,
        TRequest request,
        Func<IAmazonDynamoDB, TRequest, CancellationToken, Task<TResponse>> call,
        Func<TResponse, IReadOnlyList<ConsumedCapacity>?> consumed,
        CancellationToken cancellationToken)
    {
        using var activity = MessagingTelemetry.Source.StartActivity("DynamoDB " + operation, ActivityKind.Client);
        activity?.SetTag("db.system.name", "aws.dynamodb");
        activity?.SetTag("aws.dynamodb.table_names", tableName);
        activity?.SetTag("cruddur.operation", operation);
        TResponse response;
        try
        {
            response = await call(dynamoDb, request, cancellationToken);
        }
        catch (AmazonServiceException exception)
        {
            // A refused call (a failed condition, a cancelled transaction) still counts as a call.
            recorder.Record(operation, null, kind);
            activity?.SetStatus(ActivityStatusCode.Error, exception.ErrorCode);
            logger.DynamoDbCallFailed(operation, tableName, exception.ErrorCode);
            throw;
        }

        var capacity = consumed(response);
        recorder.Record(operation, capacity, kind);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.DynamoDbCall(operation, tableName, kind, capacity?.Sum(c => c.CapacityUnits ?? 0) ?? 0);
        }

        return response;
    }

    private static IReadOnlyList<ConsumedCapacity>? One(ConsumedCapacity? capacity) => capacity is null ? null : [capacity];

    private static Dictionary<string, AttributeValue> Key(string pk, string sk) => new()
    {
        [Pk] = MessageItems.S(pk),
        [Sk] = MessageItems.S(sk),
    };

    private static string? SortKey(Dictionary<string, AttributeValue> item) => item.TryGetValue(Sk, out var sk) ? sk.S : null;
}
