using System.Diagnostics;

namespace Cruddur.Messaging.Diagnostics;

/// <summary>The activity source of the messaging core's DynamoDB spans; hosts add it to their tracing by <see cref="SourceName"/>.</summary>
public static class MessagingTelemetry
{
    /// <summary>Name of the activity source.</summary>
    public const string SourceName = "Cruddur.Messaging";

    internal static readonly ActivitySource Source = new(SourceName);
}
