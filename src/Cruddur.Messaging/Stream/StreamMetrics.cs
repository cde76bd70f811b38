using System.Diagnostics;
using System.Diagnostics.Metrics;
using Cruddur.Messaging.Diagnostics;

namespace Cruddur.Messaging.Stream;

/// <summary>What pattern E did with one stream record.</summary>
internal enum RecordOutcome
{
    /// <summary>Not a new message (REMOVE, MODIFY, another item type): nothing to do.</summary>
    Skipped,

    /// <summary>The group rows moved to this message.</summary>
    Moved,

    /// <summary>A new message that changed nothing: the rows already show it or a newer one (a replay, an older message).</summary>
    Unchanged,

    /// <summary>Reported as a batch item failure.</summary>
    Failed,
}

/// <summary>Pattern E's metrics (on the core's meter) and spans.</summary>
internal sealed class StreamMetrics
{
    /// <summary>Spans of stream batches and group-row moves, on the core's activity source.</summary>
    public static ActivitySource ActivitySource => MessagingTelemetry.Source;

    private readonly Histogram<double> lag;
    private readonly Counter<long> records;

    public StreamMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ConsumedCapacityRecorder.MeterName);
        lag = meter.CreateHistogram<double>(
            "cruddur.stream.lag",
            "ms",
            "From a message's created_at to its group rows showing it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000] });
        records = meter.CreateCounter<long>("cruddur.stream.records", "{record}", "Stream records handled by pattern E, by outcome.");
    }

    public void Record(RecordOutcome outcome, int count = 1)
    {
        if (count > 0)
        {
            records.Add(count, new KeyValuePair<string, object?>("outcome", OutcomeName(outcome)));
        }
    }

    public void RecordLag(TimeSpan elapsed) => lag.Record(Math.Max(0, elapsed.TotalMilliseconds));

    internal static string OutcomeName(RecordOutcome outcome) => outcome switch
    {
        RecordOutcome.Skipped => "skipped",
        RecordOutcome.Moved => "moved",
        RecordOutcome.Unchanged => "unchanged",
        _ => "failed",
    };
}
