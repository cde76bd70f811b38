using Microsoft.Extensions.Logging;

namespace Cruddur.Messaging.Stream;

/// <summary>Pattern E's log events.</summary>
internal static partial class StreamLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Stream batch: {Records} records, {Moved} moved, {Unchanged} unchanged, {Skipped} skipped, {Failed} failed, max lag {MaxLagMilliseconds} ms")]
    public static partial void BatchHandled(this ILogger logger, int records, int moved, int unchanged, int skipped, int failed, double maxLagMilliseconds);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "A new message item on the stream could not be read (sequence number {SequenceNumber}, event {EventId}); reported as a batch item failure")]
    public static partial void UnreadableMessageRecord(this ILogger logger, string sequenceNumber, string? eventId);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Moving the rows of group {MessageGroupUuid} failed; its {Records} records are reported as batch item failures")]
    public static partial void GroupFailed(this ILogger logger, Exception exception, Guid messageGroupUuid, int records);

    // A store that is away fails every group of every batch the same way: one line each, without a stack trace.
    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Moving the rows of group {MessageGroupUuid} failed, the store did not answer ({Error}); its {Records} records are reported as batch item failures")]
    public static partial void GroupFailedStoreAway(this ILogger logger, Guid messageGroupUuid, string error, int records);
}
