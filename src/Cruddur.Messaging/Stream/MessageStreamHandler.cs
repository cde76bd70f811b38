using Cruddur.Messaging.Errors;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table;
using Microsoft.Extensions.Logging;

namespace Cruddur.Messaging.Stream;

/// <summary>
/// Pattern E for a batch of stream records, shared by the Lambda function and the local stream processor: every new
/// message item (an INSERT of a <c>MSG#</c> item) moves both participants' group rows to the message's time and text.
/// Everything else is skipped; a record that cannot be handled is returned as a batch item failure, never failing the
/// rest. Safe to run twice or concurrently on the same records.
/// </summary>
public sealed class MessageStreamHandler
{
    // The work is I/O bound (three calls per group, one after the other): a batch of N groups takes N/this rounds, and
    // under load each round waits in DynamoDB's queue like any request. 64 posting users fit one round (bench/RESULTS.md).
    private const int GroupsInParallel = 64;

    private const string UnreadableReason = "Not a well-formed message item (pk, sk, message_uuid, user_uuid).";

    private readonly GroupRowMover mover;
    private readonly StreamMetrics metrics;
    private readonly TimeProvider timeProvider;
    private readonly IMessageGroupChangePublisher publisher;
    private readonly ILogger<MessageStreamHandler> logger;

    /// <summary>Creates the handler; <c>AddMessageStreamHandler()</c> registers it.</summary>
    internal MessageStreamHandler(
        GroupRowMover mover,
        StreamMetrics metrics,
        TimeProvider timeProvider,
        IMessageGroupChangePublisher publisher,
        ILogger<MessageStreamHandler> logger)
    {
        this.mover = mover;
        this.metrics = metrics;
        this.timeProvider = timeProvider;
        this.publisher = publisher;
        this.logger = logger;
    }

    /// <summary>
    /// Handles every record of the batch. Records of one group are coalesced: only the newest message can move the rows,
    /// every one of them counts as unread for the participant who did not send it, and they succeed or fail together. Returns the records to retry, by sequence number.
    /// </summary>
    public async Task<StreamBatchResponse> HandleAsync(IReadOnlyList<StreamRecord> records, CancellationToken cancellationToken) =>
        new([.. (await HandleWithReasonsAsync(records, cancellationToken)).Select(failure => new BatchItemFailure(failure.SequenceNumber))]);

    /// <summary>
    /// <see cref="HandleAsync"/>, with why each failed record failed, in the batch's order: the local processor keeps the
    /// reason with a record it passes over. Lambda's answer carries only the identifiers.
    /// </summary>
    internal async Task<IReadOnlyList<RecordFailure>> HandleWithReasonsAsync(IReadOnlyList<StreamRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var activity = StreamMetrics.ActivitySource.StartActivity("E.batch");
        activity?.SetTag("cruddur.stream.records", records.Count);

        var failed = new Dictionary<StreamRecord, string>(ReferenceEqualityComparer.Instance);
        var groups = new Dictionary<Guid, List<(StreamRecord Record, Message Message)>>();
        var skipped = 0;
        foreach (var record in records)
        {
            var kind = Read(record, out var message);
            if (kind == RecordKind.Skipped)
            {
                skipped++;
                continue;
            }

            if (kind == RecordKind.Unreadable)
            {
                logger.UnreadableMessageRecord(record!.SequenceNumber, record.EventId);
                failed[record] = UnreadableReason;
                continue;
            }

            if (!groups.TryGetValue(message!.MessageGroupUuid, out var list))
            {
                groups[message.MessageGroupUuid] = list = [];
            }

            list.Add((record!, message!));
        }

        metrics.Record(RecordOutcome.Skipped, skipped);
        var outcome = new BatchCounts();
        await Parallel.ForEachAsync(
            groups.Values,
            new ParallelOptions { MaxDegreeOfParallelism = GroupsInParallel, CancellationToken = cancellationToken },
            async (messages, token) =>
            {
                var failure = await HandleGroupAsync(messages, outcome, token);
                if (failure is not null)
                {
                    lock (failed)
                    {
                        foreach (var (record, _) in messages)
                        {
                            failed[record] = failure;
                        }
                    }
                }
            });

        metrics.Record(RecordOutcome.Failed, failed.Count);
        if (groups.Count > 0 || failed.Count > 0)
        {
            logger.BatchHandled(records.Count, outcome.Moved, outcome.Unchanged, skipped, failed.Count, outcome.MaxLagMilliseconds);
        }

        return [.. records.Where(failed.ContainsKey).Select(record => new RecordFailure(record.SequenceNumber, failed[record]))];
    }

    /// <summary>
    /// What pattern E makes of one record of an event, whatever the event holds (null records, null or mistyped
    /// attributes, bad base64 in attributes it does not read): it never throws. A new message item that is not a
    /// well-formed message is <see cref="RecordKind.Unreadable"/>, reported as a batch item failure.
    /// </summary>
    internal static RecordKind Read(StreamRecord? record, out Message? message)
    {
        message = null;
        if (record is null || !IsNewMessageItem(record))
        {
            return RecordKind.Skipped;
        }

        // A message is read from its string attributes only, so nothing else of the image is decoded.
        var image = record.DynamoDb?.NewImage;
        message = image is null
            ? null
            : MessageItems.ReadMessage(image
                .Where(attribute => attribute.Value?.S is not null)
                .ToDictionary(attribute => attribute.Key, attribute => MessageItems.S(attribute.Value.S!), StringComparer.Ordinal));
        return message is null ? RecordKind.Unreadable : RecordKind.NewMessage;
    }

    /// <summary>
    /// True for a new item whose key is a message's (<c>MSG#</c>, not the group's read marker); such a record must be
    /// handled or reported.
    /// </summary>
    internal static bool IsNewMessageItem(StreamRecord record) =>
        record.EventName == "INSERT"
        && (record.DynamoDb?.Keys ?? record.DynamoDb?.NewImage) is { } keys
        && MessageTableKeys.IsMessageKey(KeyText(keys, MessageTableKeys.Pk), KeyText(keys, MessageTableKeys.Sk));

    private static string? KeyText(IReadOnlyDictionary<string, StreamAttributeValue> keys, string name) =>
        keys.TryGetValue(name, out var value) ? value?.S : null;

    /// <summary>Moves the group's rows to its newest message in the batch; why that failed, or null.</summary>
    private async Task<string?> HandleGroupAsync(List<(StreamRecord Record, Message Message)> messages, BatchCounts counts, CancellationToken cancellationToken)
    {
        var newest = messages.MaxBy(entry => entry.Message.CreatedAt).Message;
        using var activity = StreamMetrics.ActivitySource.StartActivity("E.move_rows");
        activity?.SetTag("cruddur.message_group_uuid", newest.MessageGroupUuid);
        try
        {
            var (moved, members) = await mover.MoveToAsync(messages.Select(entry => entry.Message).ToList(), cancellationToken);

            // Published even when another run had moved the rows already: that run may be another process's, whose
            // listeners this process's cannot hear. A replayed record costs a listener one needless re-read.
            await publisher.PublishAsync(new MessageGroupChange(newest.MessageGroupUuid, MessageGroupChange.NewMessage), members, cancellationToken);
            if (moved)
            {
                var lag = timeProvider.GetUtcNow() - newest.CreatedAt;
                metrics.RecordLag(lag);
                counts.Add(moved: 1, unchanged: messages.Count - 1, lag);
                metrics.Record(RecordOutcome.Moved);
                metrics.Record(RecordOutcome.Unchanged, messages.Count - 1);
            }
            else
            {
                counts.Add(moved: 0, unchanged: messages.Count, TimeSpan.Zero);
                metrics.Record(RecordOutcome.Unchanged, messages.Count);
            }

            return null;
        }
#pragma warning disable CA1031 // A partial batch failure exists to contain any failure to the records of one group.
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            var reason = StoreFailures.Describe(exception);
            if (StoreFailures.IsTransient(exception))
            {
                logger.GroupFailedStoreAway(newest.MessageGroupUuid, reason, messages.Count);
            }
            else
            {
                logger.GroupFailed(exception, newest.MessageGroupUuid, messages.Count);
            }

            return reason;
        }
    }

    /// <summary>A failed record's batch item failure: its sequence number and why.</summary>
    internal sealed record RecordFailure(string SequenceNumber, string Reason);

    /// <summary>What a record is to pattern E.</summary>
    internal enum RecordKind
    {
        /// <summary>Not a new message item: nothing to do.</summary>
        Skipped,

        /// <summary>A new message item, read.</summary>
        NewMessage,

        /// <summary>A new message item that cannot be read: a batch item failure.</summary>
        Unreadable,
    }

    private sealed class BatchCounts
    {
        private readonly Lock gate = new();

        public int Moved { get; private set; }

        public int Unchanged { get; private set; }

        public double MaxLagMilliseconds { get; private set; }

        public void Add(int moved, int unchanged, TimeSpan lag)
        {
            lock (gate)
            {
                Moved += moved;
                Unchanged += unchanged;
                MaxLagMilliseconds = Math.Max(MaxLagMilliseconds, lag.TotalMilliseconds);
            }
        }
    }
}
