using Cruddur.Messaging.Table;
using Microsoft.Extensions.Logging;

namespace Cruddur.Messaging;

/// <summary>The facade's own log lines (the store's are in <c>Diagnostics/MessagingLog</c>).</summary>
internal static partial class DirectMessagesLog
{
    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "New group for a pair was cancelled ({Reason}); attempt {Attempt}")]
    public static partial void NewGroupCancelled(this ILogger logger, NewGroupResult reason, int attempt);
}
