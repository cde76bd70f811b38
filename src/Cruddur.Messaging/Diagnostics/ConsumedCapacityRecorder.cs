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
    public const string MeterName = MessagingTelemetry.MeterName;

    private readonly Meter meter;
    private readonly Counter<double> capacityUnits;
    // Every call of the hot path records here: the entries are created once and then added to without a lock
    // (ConcurrentDictionary.AddOrUpdate locks its bucket, and all readers of one pattern update the same key).
    private readonly ConcurrentDictionary<(string Operation, string Target, string Kind), Total> totals = new();
    private readonly ConcurrentDictionary<string, Total> calls = new();

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
    /// <remarks>
    /// DynamoDB Local reports only <c>CapacityUnits</c>, without the read/write split; such totals count under the kind
    /// "units". Callers that know whether the call read or wrote use the overloads that take a <see cref="CapacityKind"/>.
    /// </remarks>
    public void Record(string operation, IEnumerable<ConsumedCapacity>? consumed) => Record(operation, consumed, "units");

    /// <summary>Adds what one single-item call consumed.</summary>
    public void Record(string operation, ConsumedCapacity? consumed) => Record(operation, consumed is null ? null : [consumed]);

    /// <summary>Adds what one call that reads or writes consumed; a total without the read/write split counts as <paramref name="kind"/>.</summary>
    public void Record(string operation, IEnumerable<ConsumedCapacity>? consumed, CapacityKind kind) =>
        Record(operation, consumed, kind == CapacityKind.Read ? "read" : "write");

    private void Record(string operation, IEnumerable<ConsumedCapacity>? consumed, string unsplitKind)
    {
        calls.GetOrAdd(operation, static _ => new Total()).Add(1);
        foreach (var capacity in consumed ?? [])
        {
            Add(operation, "table", capacity.Table, unsplitKind);
            foreach (var (indexName, indexCapacity) in capacity.GlobalSecondaryIndexes ?? [])
            {
                Add(operation, "gsi:" + indexName, indexCapacity, unsplitKind);
            }
        }
    }

    /// <summary>Running totals: (operation, "table" or "gsi:{name}", "read"/"write"/"units") → capacity units.</summary>
    public IReadOnlyDictionary<(string Operation, string Target, string Kind), double> Totals =>
        totals.ToDictionary(entry => entry.Key, entry => entry.Value.Value);

    /// <summary>How many calls each operation made.</summary>
    public IReadOnlyDictionary<string, long> Calls =>
        calls.ToDictionary(entry => entry.Key, entry => (long)entry.Value.Value, StringComparer.Ordinal);

    /// <summary>Forgets the totals (the benchmark resets between phases).</summary>
    public void Reset()
    {
        totals.Clear();
        calls.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => meter.Dispose();

    private void Add(string operation, string target, Capacity? capacity, string unsplitKind)
    {
        if (capacity is null)
        {
            return;
        }

        if (capacity.ReadCapacityUnits is null && capacity.WriteCapacityUnits is null)
        {
            Add(operation, target, unsplitKind, capacity.CapacityUnits);
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

        totals.GetOrAdd((operation, target, kind), static _ => new Total()).Add(units.Value);
        capacityUnits.Add(units.Value, new("operation", operation), new("target", target), new("kind", kind));
    }
}

/// <summary>A running sum that many threads add to at once (compare-and-swap, no lock).</summary>
internal sealed class Total
{
    private double value;

    public double Value => Volatile.Read(ref value);

    public void Add(double amount)
    {
        double seen;
        do
        {
            seen = Volatile.Read(ref value);
        }
        while (Interlocked.CompareExchange(ref value, seen + amount, seen) != seen);
    }
}

/// <summary>Whether a DynamoDB call reads or writes, for totals reported without the read/write split.</summary>
public enum CapacityKind
{
    /// <summary>GetItem, Query.</summary>
    Read,

    /// <summary>PutItem, DeleteItem, TransactWriteItems, BatchWriteItem.</summary>
    Write,
}
