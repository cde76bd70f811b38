using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Table;

namespace Cruddur.Bench.Load;

/// <summary>
/// The table a raw or SDK phase puts into: created empty for the phase with the messages schema as the app's table in
/// this run has it (key, GSI, stream; no time to live, which makes every write into the table about ten times dearer
/// in DynamoDB Local, bench/RESULTS.md), and deleted after it.
/// </summary>
internal sealed class PutTable : IAsyncDisposable
{
    private static int count;
    private readonly IAmazonDynamoDB sdk;

    private PutTable(IAmazonDynamoDB sdk, string name)
    {
        this.sdk = sdk;
        Name = name;
    }

    public string Name { get; }

    public static async Task<PutTable> CreateAsync(IAmazonDynamoDB sdk, string stamp, CancellationToken cancellationToken)
    {
        var name = $"bench-put-{stamp}-{Interlocked.Increment(ref count).ToString(CultureInfo.InvariantCulture)}";
        await sdk.CreateTableAsync(MessageTableSchema.CreateTableRequest(name), cancellationToken);
        while ((await sdk.DescribeTableAsync(name, cancellationToken)).Table.TableStatus != TableStatus.ACTIVE)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        return new PutTable(sdk, name);
    }

    public async ValueTask DisposeAsync() => await sdk.DeleteTableAsync(Name);
}
