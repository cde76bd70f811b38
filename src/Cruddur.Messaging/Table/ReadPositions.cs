using Amazon.DynamoDBv2.Model;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Messaging.Table;

/// <summary>What a mark-read did: whether the position moved, and the group's members (for the live event).</summary>
internal sealed record ReadMark(bool Moved, IReadOnlyList<Guid> Members);

/// <summary>
/// The owners' read positions on their group rows (<see cref="GroupRowReadState"/>): marking read is one conditional
/// update of the owner's newest row, never a count over messages, plus the group's <see cref="ReadMarker"/> that
/// pattern A reads with its page.
/// </summary>
internal sealed class ReadPositions(TableGateway table, MessageTable messageTable)
{
    // A row moved by pattern E between the read and the update costs one more round; more in a row is not a settled table.
    private const int MaxAttempts = 6;

    /// <summary>
    /// Moves <paramref name="owner"/>'s read position of the group up to <paramref name="upTo"/> (null: the newest
    /// message), never past the row's newest message and never backwards. Null when the owner has no row of the group.
    /// </summary>
    public async Task<ReadMark?> MarkReadAsync(Guid owner, Guid messageGroupUuid, DateTimeOffset? upTo, CancellationToken cancellationToken)
    {
        var rows = await messageTable.QueryGroupRowsAsync(messageGroupUuid, "read.query_rows", cancellationToken);
        var members = MessageTable.Owners(rows);
        var ownerPk = GroupRowPk(owner);
        var groupUuid = messageGroupUuid.ToString("D");
        var row = MessageItems.NewestFirst(rows.Where(row => MessageItems.TextOf(row, Pk) == ownerPk)).FirstOrDefault();
        for (var attempt = 1; row is not null; attempt++)
        {
            var rowTime = MessageItems.RowTime(row);
            var state = GroupRowReadState.Of(row);
            var next = state.ReadUpTo(upTo is { } at && at < rowTime ? at : rowTime);
            if (next.SameAs(state))
            {
                return new ReadMark(false, members);
            }

            await MoveMarkerAsync(messageGroupUuid, owner, next.ReadAt!.Value, cancellationToken);
            try
            {
                await table.UpdateItemAsync("read.update_row", next.UpdateOf(row, state.Version), cancellationToken, refusedOperation: "read.update_row_conflict");
                return new ReadMark(true, members);
            }
            catch (ConditionalCheckFailedException) when (attempt < MaxAttempts)
            {
                // Pattern E moved or merged the row meanwhile: read the owner's rows from this one on, consistently.
                var fromSk = MessageItems.TextOf(row, Sk)!;
                row = MessageItems.NewestFirst(await messageTable.QueryOwnerRowsAsync(ownerPk, groupUuid, fromSk, "read.query_owner_rows", cancellationToken)).FirstOrDefault();
            }
        }

        return null;
    }

    // The marker moves first: once the row has moved, the marker shows it too (a failure in between leaves the marker
    // ahead of the row, which the next mark-read of the row catches up with, never the other way round).
    private async Task MoveMarkerAsync(Guid messageGroupUuid, Guid owner, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateItemAsync("read.update_marker", ReadMarker.MoveForward(messageGroupUuid, owner, readAt), cancellationToken, refusedOperation: "read.update_marker_behind");
        }
        catch (ConditionalCheckFailedException)
        {
            // The marker already shows this position or a later one.
        }
    }
}
