using Microsoft.Extensions.Logging;

namespace Cruddur.Local.StreamProcessor;

/// <summary>The local stream processor's log events.</summary>
internal static partial class StreamProcessorLog
{
    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Local stream processor: following {StreamArn}")]
    public static partial void FollowingStream(this ILogger logger, string streamArn);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Local stream processor: table {TableName} has no stream yet; waiting for it")]
    public static partial void WaitingForTable(this ILogger logger, string tableName);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Local stream processor: not started, the DynamoDB client has no local service URL (in AWS the stream function does this work)")]
    public static partial void NotLocal(this ILogger logger);

    // Only transient failures (the store away or refusing) come here, so one line each: no stack trace to repeat on every retry.
    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "Local stream processor: reading the stream failed ({Reason}); trying again in {DelayMilliseconds} ms")]
    public static partial void ReadFailed(this ILogger logger, string reason, double delayMilliseconds);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Error, Message = "Local stream processor: record {SequenceNumber} of shard {ShardId} still failed after {Attempts} attempts ({Reason}); kept as a dead letter (`cruddur stream dead-letters`) and passed over")]
    public static partial void RecordAbandoned(this ILogger logger, string sequenceNumber, string shardId, int attempts, string reason);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Information, Message = "Local stream processor: the stream {StreamArn} is gone (table dropped or recreated); looking for the table's stream again")]
    public static partial void StreamGone(this ILogger logger, string streamArn);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Warning, Message = "Local stream processor: the last checkpoint of shard {ShardId} was not written; its batches will be read again (replays change nothing)")]
    public static partial void CheckpointFailed(this ILogger logger, Exception exception, string shardId);
}
