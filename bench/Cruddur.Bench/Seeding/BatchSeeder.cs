using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Table;

namespace Cruddur.Bench.Seeding;

/// <summary>Writes many items fast: batches of 25 through the core's table gateway (which retries UnprocessedItems), several in flight.</summary>
internal sealed class BatchSeeder(TableGateway table)
{
    public async Task<int> WriteAsync(IEnumerable<Dictionary<string, AttributeValue>> items, int parallelism, CancellationToken cancellationToken)
    {
        var written = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(items.Chunk(TableGateway.MaxBatchWriteItems), options, async (batch, token) =>
        {
            await table.BatchPutAsync("bench.seed", batch, token);
            Interlocked.Add(ref written, batch.Length);
        });
        return written;
    }
}
