using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Time;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Messaging.Stream;

/// <summary>
/// Pattern E's writes: moves each participant's group row to a new message, put first, then a conditional delete.
/// <para>
/// Put-then-delete instead of a transaction because it costs half (see the stream README/report): a crash between
/// the two leaves an older second row for one owner, never none. Every run for the group deletes all but the newest
/// row of each owner, and a failed delete (someone else changed the rows meanwhile) is followed by a consistent
/// re-read of that owner's rows and the same clean-up, so concurrent or repeated runs converge on one row per owner,
/// at the newest message. A row never moves backwards: only a message newer than the owner's newest row moves it.
/// </para>
/// </summary>
internal sealed class GroupRowMover(TableGateway table, MessageTable messageTable)
{
    private const int MaxRepairAttempts = 4;
    private const int MaxSameMicrosecondShifts = 3;

    /// <summary>
    /// Moves every participant's row of the message's group to it. Answers whether any row moved, and the participants
    /// (the rows' owners), whose rows now show this message or a newer one.
    /// </summary>
    public async Task<(bool Moved, IReadOnlyList<Guid> Members)> MoveToAsync(Message message, CancellationToken cancellationToken)
    {
        var groupUuid = message.MessageGroupUuid.ToString("D");
        var rows = await messageTable.QueryGroupRowsAsync(message.MessageGroupUuid, "E.query_rows", cancellationToken);
        if (rows.Count == 0)
        {
            // Pattern D writes the rows with the first message, but the GSI is eventually consistent in AWS: retry later.
            throw new InvalidOperationException($"No group rows found for message group {groupUuid} (yet).");
        }

        var owners = rows
            .GroupBy(row => MessageItems.TextOf(row, Pk)!, StringComparer.Ordinal)
            .Select(ownerRows => NewestFirst(ownerRows).ToList())
            .ToList();
        var moved = await Task.WhenAll(owners.Select(ownerRows => MoveOwnerRowAsync(ownerRows, groupUuid, message, cancellationToken)));
        if (owners.Count < 2)
        {
            // Every conversation has two participants: the other row is not in the GSI yet. Moved what is there; retry for the rest.
            throw new InvalidOperationException($"Found the group row of only {owners.Count} participant of message group {groupUuid} (yet).");
        }

        return (moved.Any(any => any), MessageTable.Owners(rows));
    }

    private async Task<bool> MoveOwnerRowAsync(List<Dictionary<string, AttributeValue>> rows, string groupUuid, Message message, CancellationToken cancellationToken)
    {
        var newest = rows[0];
        var moved = false;
        var conflict = false;
        var stale = rows.Skip(1);
        if (RowTime(newest) < message.CreatedAt)
        {
            moved = await PutMovedRowAsync(newest, groupUuid, message, cancellationToken);
            conflict |= !moved;
            stale = rows;
        }

        foreach (var row in stale)
        {
            conflict |= !await DeleteIfUnchangedAsync(row, groupUuid, cancellationToken);
        }

        if (conflict)
        {
            await RepairAsync(MessageItems.TextOf(newest, Pk)!, groupUuid, rows.Select(row => MessageItems.TextOf(row, Sk)!).Min(StringComparer.Ordinal)!, cancellationToken);
        }

        return moved;
    }

    /// <summary>Puts the moved row; false when this group's row for the owner already exists at that time (another run placed it).</summary>
    private async Task<bool> PutMovedRowAsync(Dictionary<string, AttributeValue> newest, string groupUuid, Message message, CancellationToken cancellationToken)
    {
        var at = message.CreatedAt;
        for (var shift = 0; ; shift++)
        {
            try
            {
                await table.PutItemAsync(
                    "E.put_row",
                    new PutItemRequest
                    {
                        Item = MessageItems.MovedGroupRow(newest, at, message.Text),
                        ConditionExpression = "attribute_not_exists(#pk)",
                        ExpressionAttributeNames = new() { ["#pk"] = Pk },
                        ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                    },
                    cancellationToken,
                    refusedOperation: "E.put_row_conflict");
                return true;
            }
            catch (ConditionalCheckFailedException exception)
            {
                if (exception.Item is null || MessageItems.TextOf(exception.Item, MessageGroupUuid) == groupUuid)
                {
                    return false;
                }

                // The owner's row of another conversation has this very microsecond (rows are keyed by owner and time).
                if (shift == MaxSameMicrosecondShifts)
                {
                    throw new InvalidOperationException($"Could not place the group row of {groupUuid}: other conversations' rows hold the times from {MessageTimestamp.Format(message.CreatedAt)} on.", exception);
                }

                at = MessageTimestamp.NextMicrosecond(at);
            }
        }
    }

    /// <summary>Deletes a row unless it changed or went since it was read; false when it had.</summary>
    private async Task<bool> DeleteIfUnchangedAsync(Dictionary<string, AttributeValue> row, string groupUuid, CancellationToken cancellationToken)
    {
        var text = MessageItems.TextOf(row, MessageTableKeys.Message);
        var request = new DeleteItemRequest
        {
            Key = new() { [Pk] = row[Pk], [Sk] = row[Sk] },
            ConditionExpression = text is null ? "#g = :g AND attribute_not_exists(#m)" : "#g = :g AND #m = :m",
            ExpressionAttributeNames = new() { ["#g"] = MessageGroupUuid, ["#m"] = MessageTableKeys.Message },
            ExpressionAttributeValues = new() { [":g"] = MessageItems.S(groupUuid) },
        };
        if (text is not null)
        {
            request.ExpressionAttributeValues[":m"] = MessageItems.S(text);
        }

        try
        {
            await table.DeleteItemAsync("E.delete_row", request, cancellationToken, refusedOperation: "E.delete_row_conflict");
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>
    /// After a conflict: re-reads the owner's rows of the group consistently from the base table (the GSI may lag in
    /// AWS) and deletes all but the newest, until a pass deletes cleanly.
    /// </summary>
    private async Task RepairAsync(string ownerPk, string groupUuid, string fromSk, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var rows = NewestFirst(await QueryOwnerRowsAsync(ownerPk, groupUuid, fromSk, cancellationToken)).ToList();
            var clean = true;
            foreach (var row in rows.Skip(1))
            {
                clean &= await DeleteIfUnchangedAsync(row, groupUuid, cancellationToken);
            }

            if (clean)
            {
                return;
            }

            if (attempt == MaxRepairAttempts)
            {
                throw new InvalidOperationException($"The rows of {ownerPk} for group {groupUuid} kept changing during {MaxRepairAttempts} repairs.");
            }
        }
    }

    private Task<List<Dictionary<string, AttributeValue>>> QueryOwnerRowsAsync(string ownerPk, string groupUuid, string fromSk, CancellationToken cancellationToken) =>
        table.QueryAllAsync(
            "E.repair_query",
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

    private static IOrderedEnumerable<Dictionary<string, AttributeValue>> NewestFirst(IEnumerable<Dictionary<string, AttributeValue>> rows) =>
        rows.OrderByDescending(RowTime).ThenByDescending(row => MessageItems.TextOf(row, Sk), StringComparer.Ordinal);

    /// <summary>A row's time (tolerant of the original's naive timestamps); an unreadable one counts as oldest.</summary>
    private static DateTimeOffset RowTime(Dictionary<string, AttributeValue> row) =>
        MessageTimestamp.TryParse(MessageItems.TextOf(row, Sk), out var time) ? time : DateTimeOffset.MinValue;
}
