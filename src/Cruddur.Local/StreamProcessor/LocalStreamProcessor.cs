using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Local.StreamProcessor;

/// <summary>
/// Pattern E in local runs: follows the table's stream on DynamoDB Local (every shard, parents before children) and
/// hands each batch of records to the same <see cref="MessageStreamHandler"/> the Lambda function uses.
/// <para>
/// Its position is kept per shard in a checkpoint item of the table itself (<c>STREAMPOS#{stream label}</c> / shard id),
/// written after each handled batch, so a restart resumes where it stopped. In the table rather than a file because it
/// then lives and dies with the stream it describes: an in-memory DynamoDB Local, a dropped or recreated table take
/// their checkpoints with them, and no folder has to be configured. The checkpoint's own stream records are skipped,
/// and a batch of nothing else writes no checkpoint, so they cause no further writes.
/// </para>
/// <para>
/// Under load every call waits in DynamoDB Local's queue, so a batch's checkpoint is written while the next page is read
/// and handled instead of before it. A shard has one checkpoint write in flight at most, awaited before the next one and
/// before following stops, so a checkpoint is never ahead of handled work, and one that failed leaves its batches to be
/// read (and handled) again. The next page is not read ahead while a batch is handled: it would hold only what came
/// during the read, and what came during the handling would wait a whole further batch (it measured worse).
/// </para>
/// </summary>
public sealed class LocalStreamProcessor : IDisposable
{
    private static readonly TimeSpan TableWaitInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);

    private readonly IAmazonDynamoDB dynamoDb;
    private readonly string tableName;
    private readonly LocalStreamProcessorOptions options;
    private readonly MessageStreamHandler handler;
    private readonly TableGateway table;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<LocalStreamProcessor> logger;
    private readonly HttpClient? http;
    private readonly DynamoDbStreamsClient? streams;
    private readonly DeadLetters deadLetters;

    /// <summary>Creates the processor for the configured table, on the endpoint of the registered DynamoDB client.</summary>
    public LocalStreamProcessor(
        IAmazonDynamoDB dynamoDb,
        TableGateway table,
        IOptions<LocalStreamProcessorOptions> options,
        MessageStreamHandler handler,
        TimeProvider timeProvider,
        ILogger<LocalStreamProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(dynamoDb);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        this.dynamoDb = dynamoDb;
        this.table = table;
        tableName = table.TableName;
        this.options = options.Value;
        this.handler = handler;
        this.timeProvider = timeProvider;
        this.logger = logger;
        deadLetters = new DeadLetters(table, handler, timeProvider);

        // The stream is read from the same endpoint, with the same region, as the app's own DynamoDB client.
        if (dynamoDb.Config.ServiceURL is { Length: > 0 } serviceUrl)
        {
            http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            streams = new DynamoDbStreamsClient(http, new Uri(serviceUrl), dynamoDb.Config.AuthenticationRegion ?? "us-east-1");
        }
    }

    /// <summary>
    /// Follows the stream until <paramref name="cancellationToken"/> is cancelled, then returns (no exception). Waits for
    /// the table while it does not exist, and rides out DynamoDB Local being unreachable with a growing pause. Returns at
    /// once, logging why, when the DynamoDB client is not pointed at a local service URL.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (streams is null)
        {
            logger.NotLocal();
            return;
        }

        var failures = 0;
        var waitingLogged = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var stream = await FindStreamAsync(cancellationToken);
                    if (stream is null)
                    {
                        if (!waitingLogged)
                        {
                            logger.WaitingForTable(tableName);
                            waitingLogged = true;
                        }

                        await Task.Delay(TableWaitInterval, timeProvider, cancellationToken);
                        continue;
                    }

                    waitingLogged = false;
                    logger.FollowingStream(stream.Arn);
                    await FollowAsync(stream, untilCaughtUp: false, () => failures = 0, cancellationToken);
                }
                catch (StreamsApiException exception) when (exception.ErrorCode == "ResourceNotFoundException")
                {
                    logger.StreamGone(exception.Message);
                }
                catch (Exception exception) when (IsTransient(exception, cancellationToken))
                {
                    failures++;
                    var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackOff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 10))));
                    logger.ReadFailed(StoreFailures.Describe(exception), delay.TotalMilliseconds);
                    await Task.Delay(delay, timeProvider, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the batch in hand was finished, and its checkpoint written, before FollowAsync returned.
        }
    }

    /// <summary>
    /// Handles every record the stream holds now (from the checkpoints on), then returns how many records it read:
    /// for the CLI and scripts that want the group rows up to date before they go on. 0 when the table has no stream.
    /// </summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        if (streams is null)
        {
            logger.NotLocal();
            return 0;
        }

        var stream = await FindStreamAsync(cancellationToken);
        return stream is null ? 0 : await FollowAsync(stream, untilCaughtUp: true, () => { }, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => http?.Dispose();

    private async Task<int> FollowAsync(StreamRef stream, bool untilCaughtUp, Action onProgress, CancellationToken cancellationToken)
    {
        var checkpoints = await LoadCheckpointsAsync(stream.Label, cancellationToken);
        var shards = new Dictionary<string, ShardState>(StringComparer.Ordinal);
        try
        {
            await RefreshShardsAsync(stream, shards, checkpoints, cancellationToken);
            var lastRefresh = timeProvider.GetTimestamp();
            var total = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var read = 0;
                var closed = false;
                foreach (var shard in shards.Values.Where(shard => !shard.Finished && ParentDone(shard, shards)).OrderBy(shard => shard.ShardId, StringComparer.Ordinal).ToList())
                {
                    var (count, finished) = await ReadShardAsync(stream, shard, cancellationToken);
                    read += count;
                    closed |= finished;
                }

                total += read;
                onProgress();
                if (closed || timeProvider.GetElapsedTime(lastRefresh) > options.ShardRefreshInterval)
                {
                    await RefreshShardsAsync(stream, shards, checkpoints, cancellationToken);
                    lastRefresh = timeProvider.GetTimestamp();
                }

                if (read == 0 && !closed)
                {
                    if (untilCaughtUp)
                    {
                        foreach (var shard in shards.Values)
                        {
                            await shard.TakeCheckpointWrite();
                        }

                        return total;
                    }

                    await Task.Delay(options.PollInterval, timeProvider, cancellationToken);
                }
            }
        }
        finally
        {
            await SettleAsync(shards.Values);
        }
    }

    /// <summary>Reads and handles one page of a shard: (records read, whether the shard has now been read to its end).</summary>
    private async Task<(int Records, bool Finished)> ReadShardAsync(StreamRef stream, ShardState shard, CancellationToken cancellationToken)
    {
        GetRecordsResponse page;
        try
        {
            shard.Iterator ??= await streams!.GetShardIteratorAsync(stream.Arn, shard.ShardId, shard.LastSequenceNumber, cancellationToken);
            if (shard.Iterator is null)
            {
                shard.Finished = true;
                return (0, true);
            }

            page = await streams!.GetRecordsAsync(shard.Iterator, options.BatchSize, cancellationToken);
        }
        catch (StreamsApiException exception) when (exception.ErrorCode == "ExpiredIteratorException")
        {
            shard.Iterator = null;
            return (0, false);
        }
        catch (StreamsApiException exception) when (exception.ErrorCode == "TrimmedDataAccessException" && shard.LastSequenceNumber is not null)
        {
            // The checkpoint is older than the stream's retention: start at the oldest record still there.
            shard.LastSequenceNumber = null;
            shard.Iterator = null;
            return (0, false);
        }

        var records = page.Records ?? [];
        if (records.Count > 0)
        {
            await HandleBatchAsync(stream, shard, records);
        }

        shard.Iterator = page.NextShardIterator;
        shard.Finished = shard.Iterator is null;
        return (records.Count, shard.Finished);
    }

    /// <summary>Waits for the checkpoint writes still in flight when following ends early (a failure, stopping); a failed one is logged.</summary>
    private async Task SettleAsync(IEnumerable<ShardState> shards)
    {
        foreach (var shard in shards)
        {
            var write = shard.TakeCheckpointWrite();
            await write.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (write.Exception?.GetBaseException() is { } failure)
            {
                logger.CheckpointFailed(failure, shard.ShardId);
            }
        }
    }

    /// <summary>
    /// Hands a batch to the handler, retries its failed records, then starts its checkpoint write (not awaited here).
    /// Not cancelled by stopping: a batch once begun is finished (within <see cref="LocalStreamProcessorOptions.BatchTimeout"/>)
    /// so its checkpoint is kept.
    /// </summary>
    private async Task HandleBatchAsync(StreamRef stream, ShardState shard, IReadOnlyList<StreamRecord> records)
    {
        using var timeout = new CancellationTokenSource(options.BatchTimeout, timeProvider);
        var pending = records;
        for (var attempt = 1; ; attempt++)
        {
            var failures = await handler.HandleWithReasonsAsync(pending, timeout.Token);
            if (failures.Count == 0)
            {
                break;
            }

            var failed = failures.ToDictionary(failure => failure.SequenceNumber, failure => failure.Reason, StringComparer.Ordinal);
            pending = pending.Where(record => failed.ContainsKey(record.SequenceNumber)).ToList();
            if (attempt >= options.MaxAttempts)
            {
                // An unreachable store is not a bad record: this throws then, the batch is left without a checkpoint
                // and read again once DynamoDB answers. Only records that fail while it answers are passed over.
                await dynamoDb.DescribeTableAsync(tableName, timeout.Token);
                // Where the function sends the records to its on-failure queue, the local processor keeps them as
                // dead letters, before the checkpoint passes them: a failed put leaves the batch to be read again.
                foreach (var record in pending)
                {
                    var reason = failed[record.SequenceNumber];
                    await deadLetters.KeepAsync(stream.Label, shard.ShardId, record, reason, attempt, timeout.Token);
                    logger.RecordAbandoned(record.SequenceNumber, shard.ShardId, attempt, reason);
                }

                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), timeProvider, timeout.Token);
        }

        shard.LastSequenceNumber = records[^1].SequenceNumber;
        if (records.Any(record => !IsBookkeepingRecord(record)))
        {
            // The previous batch's checkpoint first: written in order, and a failed one throws here, so this batch is
            // not checkpointed either and both are read again.
            await shard.TakeCheckpointWrite();
            shard.CheckpointWrite = SaveCheckpointAsync(stream.Label, shard.ShardId, shard.LastSequenceNumber);
        }
    }

    private async Task RefreshShardsAsync(StreamRef stream, Dictionary<string, ShardState> shards, IReadOnlyDictionary<string, string> checkpoints, CancellationToken cancellationToken)
    {
        foreach (var shard in await streams!.DescribeShardsAsync(stream.Arn, cancellationToken))
        {
            if (!shards.ContainsKey(shard.ShardId))
            {
                shards[shard.ShardId] = new ShardState(shard.ShardId, shard.ParentShardId)
                {
                    LastSequenceNumber = checkpoints.GetValueOrDefault(shard.ShardId),
                };
            }
        }
    }

    /// <summary>A child shard is read only after its parent is read to the end, so a key's records stay in order.</summary>
    private static bool ParentDone(ShardState shard, Dictionary<string, ShardState> shards) =>
        shard.ParentShardId is null || !shards.TryGetValue(shard.ParentShardId, out var parent) || parent.Finished;

    /// <summary>A record of the processor's own items (checkpoints, dead letters), which alone never cause a checkpoint.</summary>
    private static bool IsBookkeepingRecord(StreamRecord record) =>
        record.DynamoDb?.Keys is { } keys && keys.TryGetValue(Pk, out var pk) && (IsStreamCheckpointPk(pk.S) || IsDeadLetterPk(pk.S));

    private async Task<StreamRef?> FindStreamAsync(CancellationToken cancellationToken)
    {
        try
        {
            var table = (await dynamoDb.DescribeTableAsync(tableName, cancellationToken)).Table;
            return table.LatestStreamArn is { } arn && table.LatestStreamLabel is { } label ? new StreamRef(arn, label) : null;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private async Task<Dictionary<string, string>> LoadCheckpointsAsync(string streamLabel, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            ConsistentRead = true,
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = Pk },
            ExpressionAttributeValues = new() { [":pk"] = MessageItems.S(StreamCheckpointPk(streamLabel)) },
        };
        var checkpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in await table.QueryAllAsync("E.load_checkpoints", request, cancellationToken))
        {
            if (MessageItems.ReadStreamCheckpoint(item) is var (shardId, sequenceNumber))
            {
                checkpoints[shardId] = sequenceNumber;
            }
        }

        return checkpoints;
    }

    /// <summary>Writes a checkpoint; not cancelled by stopping, limited by <see cref="LocalStreamProcessorOptions.BatchTimeout"/>.</summary>
    private async Task SaveCheckpointAsync(string streamLabel, string shardId, string sequenceNumber)
    {
        using var timeout = new CancellationTokenSource(options.BatchTimeout, timeProvider);
        await table.PutItemAsync(
            "E.save_checkpoint",
            new PutItemRequest { Item = MessageItems.StreamCheckpoint(streamLabel, shardId, sequenceNumber, timeProvider.GetUtcNow()) },
            timeout.Token);
    }

    /// <summary>
    /// What the processor rides out with a growing pause: a store's transient failure, and beyond it any refusal of
    /// DynamoDB Local (a table dropped and recreated under it) or failure of its own Streams client.
    /// </summary>
    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        StoreFailures.IsTransient(exception)
        || exception is AmazonServiceException or StreamsApiException or JsonException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private sealed record StreamRef(string Arn, string Label);

    [DebuggerDisplay("{ShardId} finished={Finished}")]
    private sealed class ShardState(string shardId, string? parentShardId)
    {
        public string ShardId { get; } = shardId;

        public string? ParentShardId { get; } = parentShardId;

        public string? Iterator { get; set; }

        public string? LastSequenceNumber { get; set; }

        public bool Finished { get; set; }

        /// <summary>The checkpoint write in flight, if any.</summary>
        public Task? CheckpointWrite { get; set; }

        /// <summary>The checkpoint write in flight (a completed task when none), no longer held by the shard.</summary>
        public Task TakeCheckpointWrite()
        {
            var write = CheckpointWrite ?? Task.CompletedTask;
            CheckpointWrite = null;
            return write;
        }
    }
}
