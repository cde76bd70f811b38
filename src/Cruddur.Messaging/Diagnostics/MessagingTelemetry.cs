using System.Diagnostics;

namespace Cruddur.Messaging.Diagnostics;

/// <summary>
/// The names under which the messaging core emits telemetry: hosts add the activity source (DynamoDB and stream spans)
/// to their tracing by <see cref="SourceName"/> and the meter (capacity, stream lag, stream records) by <see cref="MeterName"/>.
/// </summary>
public static class MessagingTelemetry
{
    /// <summary>Name of the activity source.</summary>
    public const string SourceName = "Cruddur.Messaging";

    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Cruddur.Messaging";

    internal static readonly ActivitySource Source = new(SourceName);
}
