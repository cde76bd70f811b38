using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Amazon.DynamoDBv2.Model;

namespace Cruddur.Messaging.Diagnostics;

/// <summary>
/// Records the capacity every DynamoDB call consumed (ask for it with <c>ReturnConsumedCapacity.INDEXES</c>),
/// as the <c>cruddur.dynamodb.capacity_units</c> metric and as running totals per operation that the benchmark reads.
/// </summary>
public sealed class ConsumedCapacityRecorder : IDisposable
{
    /// <summary>Name of the meter that carries the capacity metric.</summary>
    public const string MeterName = "Cruddur.Messaging";

    private readonly Meter meter;
    private readonly Counter<double> capacityUnits;
    private readonly ConcurrentDictionary<(string Operation, string Target, string Kind), double> totals = new();
    private readonly ConcurrentDictionary<string, long> calls = new();

    /// <summary>Creates the recorder on a meter from <paramref name="meterFactory"/>.</summary>
    public ConsumedCapacityRecorder(IMeterFactory meterFactory)
    {
        meter = meterFactory.Create(MeterName);
        capacityUnits = meter.CreateCounter<double>("cruddur.dynamodb.capacity_units", "{unit}", "DynamoDB capacity consumed, by operation, table or index, and read/write.");
    }

    /// <summary>
    /// Adds what one call of <paramref name="operation"/> (e.g. <c>A.query</c>, <c>E.put_row</c>) consumed.
    /// A transaction reports one entry per table; null (a call that did not report) counts the call only.
    /// </summary>
    public void Record(string operation, IEnumerable<ConsumedCapacity>? consumed)
    {
        calls.AddOrUpdate(operation, 1, (_, count) => count + 1);
        foreach (var capacity in consumed ?? [])
        {
            Add(operation, "table", capacity.Table);
            foreach (var (indexName, indexCapacity) in capacity.GlobalSecondaryIndexes ?? [])
            {
                Add(operation, "gsi:" + indexName, indexCapacity);
            }
        }
    }

    /// <summary>Adds what one single-item call consumed.</summary>
    public void Record(string operation, ConsumedCapacity? consumed) => Record(operation, consumed is null ? null : [consumed]);

    /// <summary>Running totals: (operation, "table" or "gsi:{name}", "read"/"write", or "units" when the service does not split them, as DynamoDB Local) → capacity units.</summary>
    public IReadOnlyDictionary<(string Operation, string Target, string Kind), double> Totals => totals;

    /// <summary>How many calls each operation made.</summary>
    public IReadOnlyDictionary<string, long> Calls => calls;

    /// <summary>Forgets the totals (the benchmark resets between phases).</summary>
    public void Reset()
    {
        totals.Clear();
        calls.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => meter.Dispose();

    private void Add(string operation, string target, Capacity? capacity)
    {
        if (capacity is null)
        {
            return;
        }

        if (capacity.ReadCapacityUnits is null && capacity.WriteCapacityUnits is null)
        {
            // DynamoDB Local reports only the undivided CapacityUnits: keep them as "units" rather than lose them.
            Add(operation, target, "units", capacity.CapacityUnits);
            return;
        }

        Add(operation, target, "read", capacity.ReadCapacityUnits);
        Add(operation, target, "write", capacity.WriteCapacityUnits);
    }

    private void Add(string operation, string target, string kind, double? units)
    {
        if (units is not > 0)
        {
            return;
        }

        totals.AddOrUpdate((operation, target, kind), units.Value, (_, total) => total + units.Value);
        capacityUnits.Add(units.Value, new("operation", operation), new("target", target), new("kind", kind));
    }
}
