using System.Globalization;
using Amazon.DynamoDBv2;
using Cruddur.Messaging.Table;

namespace Cruddur.Bench.Load;

/// <summary>
/// The table a raw or SDK phase puts into: the messages schema, created empty for the phase and deleted after it, so
/// each phase's reference puts into a table as small as the app's C finds its partitions (a side table kept for the
/// whole run was seen answering raw puts at 13–16 ms of DynamoDB Local CPU each, bench/RESULTS.md).
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
        await MessageTableSchema.CreateIfMissingAsync(sdk, name, cancellationToken);
        return new PutTable(sdk, name);
    }

    public async ValueTask DisposeAsync() => await sdk.DeleteTableAsync(Name);
}
