using System.Diagnostics;

namespace Cruddur.Soak;

/// <summary>The soak's phases on one clock, so every answer can say when it came and during which phase.</summary>
internal sealed class Timeline
{
    public const string WarmUp = "warm-up";
    public const string Steady = "steady";
    public const string OutageRefused = "outage-refused";
    public const string OutageHung = "outage-hung";
    public const string Kill = "kill";
    public const string Recovery = "recovery";
    public const string PostgresRestart = "postgres-restart";
    public const string StreamRestart = "stream-restart";

    /// <summary>Phases in which DynamoDB cannot be reached and a 503 is the right answer.</summary>
    public static readonly IReadOnlySet<string> DynamoDbDown = new HashSet<string>(StringComparer.Ordinal) { OutageRefused, OutageHung, Kill };

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Lock gate = new();
    private readonly List<(string Phase, TimeSpan Start)> phases = [];
    private string current = WarmUp;

    public Timeline() => phases.Add((WarmUp, TimeSpan.Zero));

    public TimeSpan Now => clock.Elapsed;

    /// <summary>The phase and the time, read together.</summary>
    public (string Phase, TimeSpan At) Stamp()
    {
        lock (gate)
        {
            return (current, clock.Elapsed);
        }
    }

    public TimeSpan Enter(string phase)
    {
        lock (gate)
        {
            current = phase;
            phases.Add((phase, clock.Elapsed));
            return clock.Elapsed;
        }
    }

    /// <summary>Each phase with its start and end, in order.</summary>
    public IEnumerable<(string Phase, TimeSpan Start, TimeSpan End)> Phases()
    {
        lock (gate)
        {
            return phases.Select((p, i) => (p.Phase, p.Start, i + 1 < phases.Count ? phases[i + 1].Start : clock.Elapsed)).ToList();
        }
    }
}
