using Amazon.DynamoDBv2.Model;
using Cruddur.Testing;

namespace Cruddur.Web.Tests.Infrastructure;

/// <summary>Direct looks into a test's table, to check what was (not) written.</summary>
public static class TableItems
{
    public static async Task<List<Dictionary<string, AttributeValue>>> ScanAsync(LocalServicesFixture services, string tableName)
    {
        using var client = services.CreateDynamoDbClient();
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.ScanAsync(new ScanRequest { TableName = tableName, ExclusiveStartKey = start, ConsistentRead = true }, TestContext.Current.CancellationToken);
            items.AddRange(page.Items ?? []);
            start = page.LastEvaluatedKey;
        }
        while (start is { Count: > 0 });
        return items;
    }

    public static async Task<int> CountMessagesAsync(LocalServicesFixture services, string tableName) =>
        (await ScanAsync(services, tableName)).Count(item => item["pk"].S.StartsWith("MSG#", StringComparison.Ordinal));
}
