namespace Cruddur.Local.StreamProcessor;

/// <summary>Settings of the local stream processor, bound from the <c>LocalStreamProcessor</c> section.</summary>
public sealed class LocalStreamProcessorOptions
{
    /// <summary>Configuration section these options bind from.</summary>
    public const string SectionName = "LocalStreamProcessor";

    /// <summary>How long to wait after a pass over the shards found no new record. The lag is about half of it plus the work.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often to look for new shards while the known ones have records (closed shards trigger a look at once).</summary>
    public TimeSpan ShardRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most records per GetRecords call (the Streams API allows up to 1000).</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Attempts at a failed record (like the function's retries) before it is kept as a dead letter and passed over.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Time allowed to one batch and its retries, and to its checkpoint write; both are finished even while stopping.</summary>
    public TimeSpan BatchTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
