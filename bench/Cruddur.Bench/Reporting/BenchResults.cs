using System.Text.Json.Serialization;
using Cruddur.Bench.Capacity;
using Cruddur.Bench.Load;
using Cruddur.Bench.Monitoring;
using Cruddur.Bench.StreamLag;

namespace Cruddur.Bench.Reporting;

/// <summary>Everything one run measured, written as JSON to bench/out and as markdown to stdout.</summary>
internal sealed class BenchResults
{
    public required string Command { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; set; }

    public required MachineInfo Machine { get; set; }

    public required RunSettings Settings { get; init; }

    public StartupResult? Startup { get; set; }

    public List<LoadRow> Load { get; } = [];

    public List<StreamLagRow> StreamLag { get; } = [];

    /// <summary>Where pattern E ran: the app (its hosted local stream processor), or the benchmark when the app has none.</summary>
    public string StreamHost { get; set; } = "the app (its hosted local stream processor)";

    public List<ScalingRow> Scaling { get; } = [];

    public List<CapacityRow> Capacity { get; } = [];

    public List<Profiling.CpuProfile> Profiles { get; } = [];

    public MemoryResult? Memory { get; set; }

    public List<TargetRow> Targets { get; } = [];

    public List<string> Notes { get; } = [];
}

internal sealed record MachineInfo(string Cpu, int Cores, double MemoryGb, string Os, string DotNet, string Java, double LoadAverageAtStart, double LoadAverageAtEnd);

internal sealed record RunSettings(bool Quick, IReadOnlyList<int> Users, double WarmupSeconds, double DurationSeconds, double DynamoDbWarmupSeconds, int LoadUsers, string AppGc, IReadOnlyDictionary<string, string> AppEnvironment);

/// <summary>Start-up figures: the services, the seeding, the app's start to first answered request.</summary>
internal sealed record StartupResult(double DynamoDbStartSeconds, double PostgresStartSeconds, int SeededItems, double SeedSeconds, double AppStartMs, double AppRssAfterStartMb);

/// <summary>One load phase: a pattern through a client (app over HTTP, raw HTTP to DynamoDB, or the AWSSDK) at a concurrency.</summary>
internal sealed record LoadRow(string Pattern, string Client, int Users, LoadResult Result, ResourceUse Use, RuntimeUse? Runtime)
{
    /// <summary>True for a phase sent through the web app (by the C# load generator or by wrk).</summary>
    public bool ThroughApp => Client is "app" or "wrk-app";
}

internal sealed record StreamLagRow(string Pattern, int Users, StreamLagResult Result, double DrainMs, int DrainTimedOut);

/// <summary>First-page latency at one fixture size, through the app and raw, each also as a ratio to the smallest size.</summary>
internal sealed record ScalingRow(string Pattern, int Size, int Items, double AppP50Ms, double AppP95Ms, double AppRatio, double RawP50Ms, double RawP95Ms, double RawRatio);

/// <summary>The app's memory and GCs over the whole run.</summary>
internal sealed record MemoryResult(double PeakRssMb, double RssAtEndMb, int Gen0, int Gen1, int Gen2, string? CountersError);

internal sealed record TargetRow(string Target, string Figure, bool? Met);

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(BenchResults))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
