using System.Collections.Concurrent;
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
/// <para>
/// The same writes keep the owner's read state (<see cref="GroupRowReadState"/>): the moved row carries the merged state
/// of the owner's rows plus the times of the batch's messages from the other participant past the read position, and a
/// delete only goes through while the row's read state is unchanged (<c>read_version</c>), so a mark-read that lands
/// on the old row meanwhile is merged by the repair instead of being deleted with it.
/// </para>
/// <para>
/// The GSI query that finds the rows is skipped when this process moved the group's rows last: after a move whose put
/// and deletes all went through, the rows it put are kept in memory (at most <see cref="MaxRememberedGroups"/> groups)
/// and the next message of the group, if newer than all of them, moves them without reading. A remembered row that
/// changed meanwhile (a mark-read raised its <c>read_version</c>, another process moved or deleted it) fails the
/// conditional delete and ends in the same repair as any other conflict; a conflict or a failure forgets the group.
/// When another process had moved the rows past this message, the put places a row behind theirs for a moment, as
/// the second row a crash leaves, and the repair deletes it.
/// </para>
/// </summary>
internal sealed class GroupRowMover(TableGateway table, MessageTable messageTable)
{
    // Two rows of up to ~3 KB each (a message of 1024 characters) per group: a few MB at most. Past it all are
    // forgotten at once (a cold read each, then warm again).
    private const int MaxRememberedGroups = 1024;

    private const int MaxRepairAttempts = 4;
    private const int MaxSameMicrosecondShifts = 3;

    private readonly ConcurrentDictionary<Guid, Dictionary<string, AttributeValue>[]> lastPut = new();

    /// <summary>
    /// Moves every participant's row of the message's group to it. Answers whether any row moved, and the participants
    /// (the rows' owners), whose rows now show this message or a newer one.
    /// </summary>
    public Task<(bool Moved, IReadOnlyList<Guid> Members)> MoveToAsync(Message message, CancellationToken cancellationToken) =>
        MoveToAsync([message], cancellationToken);

    /// <summary>
    /// Moves every participant's row of the group to the newest of <paramref name="messages"/> (all of one group) and
    /// counts each of them as unread for the owners it was not sent by.
    /// </summary>
    public async Task<(bool Moved, IReadOnlyList<Guid> Members)> MoveToAsync(IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        var message = messages.MaxBy(entry => entry.CreatedAt)!;
        var groupUuid = message.MessageGroupUuid.ToString("D");
        // Taken out while in use (a concurrent run of the group reads for itself), put back only after a clean move.
        IReadOnlyList<Dictionary<string, AttributeValue>> rows =
            lastPut.TryRemove(message.MessageGroupUuid, out var remembered) && remembered.All(row => RowTime(row) < message.CreatedAt)
                ? remembered
                : await messageTable.QueryGroupRowsAsync(message.MessageGroupUuid, "E.query_rows", cancellationToken);
        if (rows.Count == 0)
        {
            // Pattern D writes the rows with the first message, but the GSI is eventually consistent in AWS: retry later.
            throw new InvalidOperationException($"No group rows found for message group {groupUuid} (yet).");
        }

        var owners = rows
            .GroupBy(row => MessageItems.TextOf(row, Pk)!, StringComparer.Ordinal)
            .Select(ownerRows => NewestFirst(ownerRows).ToList())
            .ToList();
        var moves = await Task.WhenAll(owners.Select(ownerRows => MoveOwnerRowAsync(ownerRows, groupUuid, message, FromOthers(ownerRows[0], messages), cancellationToken)));
        if (owners.Count < 2)
        {
            // Every conversation has two participants: the other row is not in the GSI yet. Moved what is there; retry for the rest.
            throw new InvalidOperationException($"Found the group row of only {owners.Count} participant of message group {groupUuid} (yet).");
        }

        if (moves.All(move => move.CleanlyPut is not null))
        {
            Remember(message.MessageGroupUuid, [.. moves.Select(move => move.CleanlyPut!)]);
        }

        return (moves.Any(move => move.Moved), MessageTable.Owners(rows));
    }

    private void Remember(Guid messageGroupUuid, Dictionary<string, AttributeValue>[] rows)
    {
        if (lastPut.Count >= MaxRememberedGroups)
        {
            lastPut.Clear();
        }

        lastPut[messageGroupUuid] = rows;
    }

    /// <summary>Moves one owner's row; whether it moved, and the row put when the put and every delete went through.</summary>
    private async Task<(bool Moved, Dictionary<string, AttributeValue>? CleanlyPut)> MoveOwnerRowAsync(
        List<Dictionary<string, AttributeValue>> rows, string groupUuid, Message message, IReadOnlyList<DateTimeOffset> unread, CancellationToken cancellationToken)
    {
        var newest = rows[0];
        Dictionary<string, AttributeValue>? put = null;
        var conflict = false;
        var stale = rows.Skip(1);
        var state = GroupRowReadState.Merge(rows.Select(GroupRowReadState.Of)).WithMessages(unread);
        if (RowTime(newest) < message.CreatedAt)
        {
            put = await PutMovedRowAsync(state.WriteTo(newest), groupUuid, message, cancellationToken);
            conflict |= put is null;
            stale = rows;
        }
        else if (GroupRowReadState.Of(newest) is var current && !state.SameAs(current))
        {
            // An older or replayed message (or a second row's read state) changes the count without a move.
            conflict |= !await UpdateReadStateAsync(newest, state, current.Version, cancellationToken);
        }

        foreach (var row in stale)
        {
            conflict |= !await DeleteIfUnchangedAsync(row, groupUuid, cancellationToken);
        }

        if (conflict)
        {
            await RepairAsync(MessageItems.TextOf(newest, Pk)!, groupUuid, rows.Select(row => MessageItems.TextOf(row, Sk)!).Min(StringComparer.Ordinal)!, unread, cancellationToken);
        }

        return (put is not null, conflict ? null : put);
    }

    /// <summary>Puts the moved row and answers it; null when this group's row for the owner already exists at that time (another run placed it).</summary>
    private async Task<Dictionary<string, AttributeValue>?> PutMovedRowAsync(Dictionary<string, AttributeValue> newest, string groupUuid, Message message, CancellationToken cancellationToken)
    {
        var at = message.CreatedAt;
        for (var shift = 0; ; shift++)
        {
            var item = MessageItems.MovedGroupRow(newest, at, message.Text);
            try
            {
                await table.PutItemAsync(
                    "E.put_row",
                    new PutItemRequest
                    {
                        Item = item,
                        ConditionExpression = "attribute_not_exists(#pk)",
                        ExpressionAttributeNames = new() { ["#pk"] = Pk },
                        ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                    },
                    cancellationToken,
                    refusedOperation: "E.put_row_conflict");
                return item;
            }
            catch (ConditionalCheckFailedException exception)
            {
                if (exception.Item is null || MessageItems.TextOf(exception.Item, MessageGroupUuid) == groupUuid)
                {
                    return null;
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
        var unchangedReadState = GroupRowReadState.VersionCondition(GroupRowReadState.Of(row).Version, out var version);
        var request = new DeleteItemRequest
        {
            Key = new() { [Pk] = row[Pk], [Sk] = row[Sk] },
            ConditionExpression = (text is null ? "#g = :g AND attribute_not_exists(#m)" : "#g = :g AND #m = :m") + " AND " + unchangedReadState,
            ExpressionAttributeNames = new() { ["#g"] = MessageGroupUuid, ["#m"] = MessageTableKeys.Message, ["#v"] = ReadVersion },
            ExpressionAttributeValues = new() { [":g"] = MessageItems.S(groupUuid) },
        };
        if (text is not null)
        {
            request.ExpressionAttributeValues[":m"] = MessageItems.S(text);
        }

        if (version is not null)
        {
            request.ExpressionAttributeValues[":v"] = version;
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
    private async Task RepairAsync(string ownerPk, string groupUuid, string fromSk, IReadOnlyList<DateTimeOffset> unread, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var rows = NewestFirst(await messageTable.QueryOwnerRowsAsync(ownerPk, groupUuid, fromSk, "E.repair_query", cancellationToken)).ToList();
            var clean = true;
            if (rows.Count > 0)
            {
                // The newest row takes the read state of every copy (and the batch's messages) before the others go.
                var current = GroupRowReadState.Of(rows[0]);
                var merged = GroupRowReadState.Merge(rows.Select(GroupRowReadState.Of)).WithMessages(unread);
                clean = merged.SameAs(current) || await UpdateReadStateAsync(rows[0], merged, current.Version, cancellationToken);
            }

            foreach (var row in clean ? rows.Skip(1) : [])
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

    /// <summary>Writes a read state over a row still at <paramref name="version"/>; false when it changed or went meanwhile.</summary>
    private async Task<bool> UpdateReadStateAsync(Dictionary<string, AttributeValue> row, GroupRowReadState state, long version, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateItemAsync("E.update_unread", state.UpdateOf(row, version), cancellationToken, refusedOperation: "E.update_unread_conflict");
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>The times of <paramref name="messages"/> the owner of <paramref name="row"/> did not send (unread for them).</summary>
    private static List<DateTimeOffset> FromOthers(Dictionary<string, AttributeValue> row, IReadOnlyList<Message> messages) =>
        MessageItems.ReadGroupRowOwner(row) is { } owner
            ? messages.Where(message => message.Sender.Uuid != owner).Select(message => message.CreatedAt).ToList()
            : [];

    private static IOrderedEnumerable<Dictionary<string, AttributeValue>> NewestFirst(IEnumerable<Dictionary<string, AttributeValue>> rows) =>
        MessageItems.NewestFirst(rows);

    private static DateTimeOffset RowTime(Dictionary<string, AttributeValue> row) => MessageItems.RowTime(row);
}
