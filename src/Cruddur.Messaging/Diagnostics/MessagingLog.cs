using Microsoft.Extensions.Logging;

namespace Cruddur.Messaging.Diagnostics;

internal static partial class MessagingLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "DynamoDB {Operation} on {TableName}: {Kind} {CapacityUnits} capacity units")]
    public static partial void DynamoDbCall(this ILogger logger, string operation, string tableName, CapacityKind kind, double capacityUnits);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "DynamoDB {Operation} on {TableName} failed: {ErrorCode}")]
    public static partial void DynamoDbCallFailed(this ILogger logger, string operation, string tableName, string? errorCode);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Message time {CreatedAt} of group {MessageGroupUuid} is taken; moving on to {NextCreatedAt}")]
    public static partial void MessageTimeTaken(this ILogger logger, Guid messageGroupUuid, DateTimeOffset createdAt, DateTimeOffset nextCreatedAt);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Skipped a malformed item {Pk} / {Sk}")]
    public static partial void MalformedItem(this ILogger logger, string? pk, string? sk);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Idempotency key {Key} of user {UserUuid} was taken over while its request ran; its result was not stored")]
    public static partial void IdempotencyClaimLost(this ILogger logger, Guid userUuid, string key);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Could not renew the lease of idempotency key {Key} of user {UserUuid}; trying again")]
    public static partial void IdempotencyRenewFailed(this ILogger logger, Guid userUuid, string key, Exception exception);
}
