using System.Diagnostics.Metrics;
using Amazon.DynamoDBv2;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cruddur.Messaging.Stream;

/// <summary>
/// Pattern E for a batch of stream records, shared by the Lambda function and the local stream processor: every new
/// message item (an INSERT of a <c>MSG#</c> item) moves both participants' group rows to the message's time and text.
/// Everything else is skipped; a record that cannot be handled is returned as a batch item failure, never failing the
/// rest. Safe to run twice or concurrently on the same records.
/// </summary>
public sealed class MessageStreamHandler
{
    private const int GroupsInParallel = 4;

    private readonly GroupRowMover mover;
    private readonly StreamMetrics metrics;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<MessageStreamHandler> logger;

    /// <summary>Creates the handler on the configured table.</summary>
    public MessageStreamHandler(
        IAmazonDynamoDB dynamoDb,
        IOptions<MessagingOptions> options,
        ConsumedCapacityRecorder recorder,
        IMeterFactory meterFactory,
        TimeProvider timeProvider,
        ILogger<MessageStreamHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        mover = new GroupRowMover(dynamoDb, options.Value.TableName, recorder);
        metrics = new StreamMetrics(meterFactory);
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    /// <summary>
    /// Handles every record of the batch. Records of one group are coalesced: only the newest message can move the rows,
    /// and the older ones succeed or fail with it. Returns the records to retry, by sequence number.
    /// </summary>
    public async Task<StreamBatchResponse> HandleAsync(IReadOnlyList<StreamRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var activity = StreamMetrics.ActivitySource.StartActivity("E.batch");
        activity?.SetTag("cruddur.stream.records", records.Count);

        var failed = new HashSet<StreamRecord>(ReferenceEqualityComparer.Instance);
        var groups = new Dictionary<Guid, List<(StreamRecord Record, Message Message)>>();
        var skipped = 0;
        foreach (var record in records)
        {
            if (!IsNewMessageItem(record))
            {
                skipped++;
                continue;
            }

            var image = record.DynamoDb?.NewImage;
            var message = image is null ? null : MessageItems.ReadMessage(StreamAttributeValue.ToItem(image));
            if (message is null)
            {
                logger.UnreadableMessageRecord(record.SequenceNumber, record.EventId);
                failed.Add(record);
                continue;
            }

            if (!groups.TryGetValue(message.MessageGroupUuid, out var list))
            {
                groups[message.MessageGroupUuid] = list = [];
            }

            list.Add((record, message));
        }

        metrics.Record(RecordOutcome.Skipped, skipped);
        var outcome = new BatchCounts();
        await Parallel.ForEachAsync(
            groups.Values,
            new ParallelOptions { MaxDegreeOfParallelism = GroupsInParallel, CancellationToken = cancellationToken },
            async (messages, token) =>
            {
                var failure = await HandleGroupAsync(messages, outcome, token);
                if (failure)
                {
                    lock (failed)
                    {
                        failed.UnionWith(messages.Select(entry => entry.Record));
                    }
                }
            });

        metrics.Record(RecordOutcome.Failed, failed.Count);
        if (groups.Count > 0 || failed.Count > 0)
        {
            logger.BatchHandled(records.Count, outcome.Moved, outcome.Unchanged, skipped, failed.Count, outcome.MaxLagMilliseconds);
        }

        return new StreamBatchResponse(records.Where(failed.Contains).Select(record => new BatchItemFailure(record.SequenceNumber)).ToList());
    }

    /// <summary>True for a new item whose key is a message's (<c>MSG#</c>); such a record must be handled or reported.</summary>
    internal static bool IsNewMessageItem(StreamRecord record) =>
        record.EventName == "INSERT"
        && MessageTableKeys.IsMessagesPk(
            (record.DynamoDb?.Keys ?? record.DynamoDb?.NewImage) is { } keys && keys.TryGetValue(MessageTableKeys.Pk, out var pk) ? pk.S : null);

    /// <summary>Moves the group's rows to its newest message in the batch; true when that failed.</summary>
    private async Task<bool> HandleGroupAsync(List<(StreamRecord Record, Message Message)> messages, BatchCounts counts, CancellationToken cancellationToken)
    {
        var newest = messages.MaxBy(entry => entry.Message.CreatedAt).Message;
        using var activity = StreamMetrics.ActivitySource.StartActivity("E.move_rows");
        activity?.SetTag("cruddur.message_group_uuid", newest.MessageGroupUuid);
        try
        {
            var moved = await mover.MoveToAsync(newest, cancellationToken);
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

            return false;
        }
#pragma warning disable CA1031 // A partial batch failure exists to contain any failure to the records of one group.
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            logger.GroupFailed(exception, newest.MessageGroupUuid, messages.Count);
            return true;
        }
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
