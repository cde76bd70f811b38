using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Cruddur.Bench.Seeding;

/// <summary>Writes many items fast: BatchWriteItem of 25, several batches in flight, UnprocessedItems retried with back-off.</summary>
internal sealed class BatchSeeder(IAmazonDynamoDB dynamoDb, string tableName)
{
    private const int BatchSize = 25;
    private const int MaxAttempts = 12;

    public async Task<int> WriteAsync(IEnumerable<Dictionary<string, AttributeValue>> items, int parallelism, CancellationToken cancellationToken)
    {
        var written = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(items.Chunk(BatchSize), options, async (batch, token) =>
        {
            var pending = batch.Select(item => new WriteRequest(new PutRequest(item))).ToList();
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                if (attempt > MaxAttempts)
                {
                    throw new InvalidOperationException($"BatchWriteItem left {pending.Count} items unprocessed after {MaxAttempts} attempts.");
                }

                if (attempt > 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 25 << attempt)), token);
                }

                var response = await dynamoDb.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [tableName] = pending } }, token);
                pending = response.UnprocessedItems is { } unprocessed && unprocessed.TryGetValue(tableName, out var left) ? left : [];
            }

            Interlocked.Add(ref written, batch.Length);
        });
        return written;
    }
}
