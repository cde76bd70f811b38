using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Table.Lean;
using Cruddur.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cruddur.Messaging.Tests.Lean;

/// <summary>
/// The lean path against the real DynamoDB Local answers exactly what the SDK answers for the same request: items of
/// every attribute type, keys, counts and consumed capacity, page by page; and fails with the same exception.
/// </summary>
public sealed class LeanQueryEquivalenceTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_query_shape_answers_page_for_page_what_the_SDK_answers()
    {
        var (sdk, lean, table, pk, group) = await SeedAsync();
        using (sdk)
        using (lean)
        {
            QueryRequest[] shapes =
            [
                Query(table, pk),
                Query(table, pk, r => { r.Limit = 2; r.ScanIndexForward = false; }),
                Query(table, pk, r => { r.ConsistentRead = true; r.Limit = 4; }),
                Query(table, pk, r =>
                {
                    r.ProjectionExpression = "#sk, nested.#inner, tags, #empty";
                    r.ExpressionAttributeNames = new() { ["#sk"] = MessageTableKeys.Sk, ["#inner"] = "inner", ["#empty"] = "empty_text" };
                }),
                Query(table, pk, r => { r.FilterExpression = "attribute_exists(flag) AND flag = :t"; r.ExpressionAttributeValues[":t"] = new AttributeValue { BOOL = true }; r.Limit = 3; }),
                Query(table, pk, r => r.Select = Select.COUNT),
                Query(table, pk, r => { r.KeyConditionExpression += " AND begins_with(sk, :prefix)"; r.ExpressionAttributeValues[":prefix"] = new AttributeValue { S = "S#0" }; }),
                new QueryRequest
                {
                    TableName = table,
                    IndexName = MessageTableKeys.GroupIndexName,
                    KeyConditionExpression = "message_group_uuid = :g",
                    ExpressionAttributeValues = new() { [":g"] = new AttributeValue { S = group } },
                    Limit = 3,
                    ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
                },
                Query(table, "P#nobody"),
            ];

            var pages = 0;
            foreach (var shape in shapes)
            {
                Dictionary<string, AttributeValue>? start = null;
                do
                {
                    var expected = await sdk.QueryAsync(Copy(shape, start), Token);
                    var actual = await lean.QueryAsync(Copy(shape, start), Token);
                    Render(actual).ShouldBe(Render(expected), $"page {pages} of {Describe(shape)}");
                    start = expected.LastEvaluatedKey is { Count: > 0 } next ? next : null;
                    pages++;
                }
                while (start is not null);
            }

            // The shapes page: Limit 2 over six items alone gives four pages (the last one empty).
            pages.ShouldBeGreaterThan(shapes.Length + 4);
        }
    }

    [Fact]
    public async Task Expression_values_of_every_attribute_type_reach_DynamoDB_intact()
    {
        var (sdk, lean, table, pk, _) = await SeedAsync();
        using (sdk)
        using (lean)
        {
            var first = Item(pk, 1);
            foreach (var name in first.Keys.Where(name => name is not MessageTableKeys.Pk and not MessageTableKeys.Sk))
            {
                // An equality filter matches only when the value written is the value stored, type and all.
                var request = Query(table, pk, r =>
                {
                    r.FilterExpression = "#a = :v";
                    r.ExpressionAttributeNames = new() { ["#a"] = name };
                    r.ExpressionAttributeValues[":v"] = first[name];
                });
                var expected = await sdk.QueryAsync(Copy(request, null), Token);
                var actual = await lean.QueryAsync(Copy(request, null), Token);

                expected.Count.ShouldBe(Enumerable.Range(1, 6).Count(i => Render(Item(pk, i)[name]) == Render(first[name])), name);
                Render(actual).ShouldBe(Render(expected), name);
            }
        }
    }

    [Fact]
    public async Task GetItem_answers_what_the_SDK_answers_found_or_not()
    {
        var (sdk, lean, table, pk, _) = await SeedAsync();
        using (sdk)
        using (lean)
        {
            foreach (var sk in new[] { "S#03", "S#99" })
            {
                GetItemRequest Request() => new()
                {
                    TableName = table,
                    Key = new() { [MessageTableKeys.Pk] = new AttributeValue { S = pk }, [MessageTableKeys.Sk] = new AttributeValue { S = sk } },
                    ConsistentRead = true,
                    ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
                };
                var expected = await sdk.GetItemAsync(Request(), Token);
                var actual = await lean.GetItemAsync(Request(), Token);

                RenderItem(actual.Item).ShouldBe(RenderItem(expected.Item), sk);
                Render(actual.ConsumedCapacity).ShouldBe(Render(expected.ConsumedCapacity), sk);
            }
        }
    }

    [Fact]
    public async Task A_refused_query_raises_the_SDKs_exception_with_its_code_status_and_type()
    {
        var (sdk, lean, table, pk, _) = await SeedAsync();
        using (sdk)
        using (lean)
        {
            QueryRequest[] refused =
            [
                Query("missing-" + Guid.NewGuid().ToString("N"), pk),
                Query(table, pk, r => r.KeyConditionExpression = "pk = :undefined"),
                Query(table, pk, r => r.IndexName = "no-such-index"),
            ];
            foreach (var request in refused)
            {
                var expected = await Should.ThrowAsync<AmazonDynamoDBException>(() => sdk.QueryAsync(Copy(request, null), Token));
                var actual = await Should.ThrowAsync<AmazonDynamoDBException>(() => lean.QueryAsync(Copy(request, null), Token));

                actual.GetType().ShouldBe(expected.GetType(), expected.ErrorCode);
                actual.ErrorCode.ShouldBe(expected.ErrorCode);
                actual.StatusCode.ShouldBe(expected.StatusCode);
                actual.ErrorType.ShouldBe(expected.ErrorType);
                actual.Message.ShouldBe(expected.Message);
                Cruddur.Messaging.Errors.StoreFailures.IsTransient(actual).ShouldBe(Cruddur.Messaging.Errors.StoreFailures.IsTransient(expected));
            }
        }
    }

    [Fact]
    public async Task The_gateway_pages_on_the_lean_path_records_each_page_and_leaves_legacy_parameters_to_the_SDK()
    {
        var (sdk, lean, table, pk, _) = await SeedAsync();
        lean.Dispose();
        using var client = sdk;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{MessagingOptions.SectionName}:TableName"] = table })
            .Build();
        await using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IAmazonDynamoDB>(sdk)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddCruddurMessaging()
            .BuildServiceProvider();
        var gateway = provider.GetRequiredService<TableGateway>();
        var recorder = provider.GetRequiredService<Cruddur.Messaging.Diagnostics.ConsumedCapacityRecorder>();

        var paged = await gateway.QueryAllAsync("lean.pages", Query(table, pk, r => r.Limit = 2), Token);
        var legacy = await gateway.QueryAllAsync(
            "sdk.legacy",
            new QueryRequest { KeyConditions = new() { [MessageTableKeys.Pk] = new Condition { ComparisonOperator = ComparisonOperator.EQ, AttributeValueList = [new AttributeValue { S = pk }] } } },
            Token);

        paged.Select(RenderItem).ShouldBe(legacy.Select(RenderItem));
        paged.Count.ShouldBe(6);
        recorder.Calls["lean.pages"].ShouldBe(4, "three full pages of two, then the empty page DynamoDB answers after the last key");
        recorder.Calls["sdk.legacy"].ShouldBe(1);
        recorder.Totals.Keys.ShouldContain(key => key.Operation == "lean.pages");
    }

    [Fact]
    public void The_lean_client_takes_its_endpoint_and_region_from_the_SDK_clients_configuration()
    {
        using var local = new AmazonDynamoDBClient(DataSourceServiceCollectionExtensions.LocalCredentials, DataSourceServiceCollectionExtensions.LocalClientConfig(services.DynamoDbServiceUrl, "eu-west-1"));
        using var leanLocal = DynamoDbJsonClient.For(local, DataSourceServiceCollectionExtensions.LocalCredentials, DataSourceServiceCollectionExtensions.AttemptTimeout);
        leanLocal.Endpoint.ShouldBe(services.DynamoDbServiceUrl);
        leanLocal.Region.ShouldBe("eu-west-1");

        using var aws = new AmazonDynamoDBClient(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), new AmazonDynamoDBConfig { RegionEndpoint = Amazon.RegionEndpoint.EUWest2 });
        using var leanAws = DynamoDbJsonClient.For(aws, DataSourceServiceCollectionExtensions.LocalCredentials, DataSourceServiceCollectionExtensions.AttemptTimeout);
        leanAws.Endpoint.ShouldBe(new Uri("https://dynamodb.eu-west-2.amazonaws.com"));
        leanAws.Region.ShouldBe("eu-west-2");
    }

    private async Task<(AmazonDynamoDBClient Sdk, DynamoDbJsonClient Lean, string Table, string Pk, string Group)> SeedAsync()
    {
        var table = await services.CreateTableAsync(Token);
        var sdk = services.CreateDynamoDbClient();
        var lean = DynamoDbJsonClient.For(sdk, DataSourceServiceCollectionExtensions.LocalCredentials, DataSourceServiceCollectionExtensions.AttemptTimeout);
        var pk = "P#" + Guid.NewGuid().ToString("N");
        for (var i = 1; i <= 6; i++)
        {
            await sdk.PutItemAsync(new PutItemRequest { TableName = table, Item = Item(pk, i) }, Token);
        }

        return (sdk, lean, table, pk, "G#" + pk);
    }

    /// <summary>An item with every attribute type, unicode, escapes and the empty values DynamoDB allows.</summary>
    private static Dictionary<string, AttributeValue> Item(string pk, int i) => new()
    {
        [MessageTableKeys.Pk] = new() { S = pk },
        [MessageTableKeys.Sk] = new() { S = $"S#{i:00}" },
        [MessageTableKeys.MessageGroupUuid] = new() { S = "G#" + pk },
        ["text"] = new() { S = $"héllo 🌍 {i} \"quoted\" \\ back\tslash \u0001 <b>&amp;</b> ユニコード" },
        ["empty_text"] = new() { S = "" },
        ["number"] = new() { N = (i * 12.5m).ToString(CultureInfo.InvariantCulture) },
        ["big"] = new() { N = "-12345678901234567890.000000000001" },
        ["bytes"] = new() { B = new MemoryStream([0, 1, 2, 254, 255, (byte)i]) },
        ["empty_bytes"] = new() { B = new MemoryStream() },
        ["tags"] = new() { SS = ["a", "ü", $"t{i}"] },
        ["numbers"] = new() { NS = ["1", "2.5", (i + 10).ToString(CultureInfo.InvariantCulture)] },
        ["blobs"] = new() { BS = [new MemoryStream([1, 2, 3]), new MemoryStream([(byte)i])] },
        ["flag"] = new() { BOOL = i % 2 == 0 },
        ["nothing"] = new() { NULL = true },
        ["nested"] = new()
        {
            M = new()
            {
                ["inner"] = new() { L = [new() { S = "x" }, new() { N = "1" }, new() { BOOL = false }, new() { NULL = true }, new() { M = [] }] },
                ["empty_map"] = new() { M = [] },
                ["empty_list"] = new() { L = [] },
            },
        },
        ["list"] = new() { L = [new() { SS = ["z"] }, new() { B = new MemoryStream([9]) }, new() { L = [] }] },
    };

    private static QueryRequest Query(string table, string pk, Action<QueryRequest>? shape = null)
    {
        var request = new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = pk } },
            ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        };
        shape?.Invoke(request);
        return request;
    }

    /// <summary>A fresh request per call, in case either path changes the one it is given.</summary>
    private static QueryRequest Copy(QueryRequest shape, Dictionary<string, AttributeValue>? start) => new()
    {
        TableName = shape.TableName,
        IndexName = shape.IndexName,
        KeyConditionExpression = shape.KeyConditionExpression,
        FilterExpression = shape.FilterExpression,
        ProjectionExpression = shape.ProjectionExpression,
        ExpressionAttributeNames = shape.ExpressionAttributeNames is null ? null : new(shape.ExpressionAttributeNames),
        ExpressionAttributeValues = shape.ExpressionAttributeValues is null ? null : new(shape.ExpressionAttributeValues),
        ScanIndexForward = shape.ScanIndexForward,
        Limit = shape.Limit,
        ConsistentRead = shape.ConsistentRead,
        Select = shape.Select,
        ReturnConsumedCapacity = shape.ReturnConsumedCapacity,
        ExclusiveStartKey = start,
    };

    private static string Describe(QueryRequest r) =>
        $"{r.IndexName} {r.KeyConditionExpression} filter={r.FilterExpression} projection={r.ProjectionExpression} limit={r.Limit} select={r.Select}";

    // The rendering below is the test's own, independent of the lean path's writer and reader: every property of the
    // SDK's types, null told apart from empty.
    private static string Render(QueryResponse r) =>
        $"status={r.HttpStatusCode} length={r.ContentLength} count={r.Count} scanned={r.ScannedCount}\n" +
        $"items={(r.Items is null ? "null" : string.Join("\n", r.Items.Select(RenderItem)))}\n" +
        $"last={RenderItem(r.LastEvaluatedKey)}\ncapacity={Render(r.ConsumedCapacity)}";

    private static string RenderItem(Dictionary<string, AttributeValue>? item) =>
        item is null ? "null" : "{" + string.Join(",", item.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Render(p.Value)}")) + "}";

    private static string Render(AttributeValue v) =>
        $"<S={v.S ?? "null"}|N={v.N ?? "null"}|B={Bytes(v.B)}|BOOL={v.BOOL?.ToString() ?? "null"}|NULL={v.NULL?.ToString() ?? "null"}" +
        $"|SS={List(v.SS)}|NS={List(v.NS)}|BS={(v.BS is null ? "null" : string.Join(";", v.BS.Select(Bytes)))}" +
        $"|M={RenderItem(v.M)}|L={(v.L is null ? "null" : "[" + string.Join(",", v.L.Select(Render)) + "]")}>";

    private static string Bytes(MemoryStream? bytes) => bytes is null ? "null" : Convert.ToHexString(bytes.ToArray());

    private static string List(List<string>? values) => values is null ? "null" : "[" + string.Join(";", values) + "]";

    private static string Render(ConsumedCapacity? c)
    {
        if (c is null)
        {
            return "null";
        }

        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{c.TableName} {c.CapacityUnits} r={c.ReadCapacityUnits} w={c.WriteCapacityUnits} table={Render(c.Table)}");
        foreach (var (label, indexes) in new[] { ("gsi", c.GlobalSecondaryIndexes), ("lsi", c.LocalSecondaryIndexes) })
        {
            text.Append(' ').Append(label).Append('=');
            text.Append(indexes is null ? "null" : string.Join(",", indexes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Render(p.Value)}")));
        }

        return text.ToString();
    }

    private static string Render(Capacity? c) =>
        c is null ? "null" : string.Create(CultureInfo.InvariantCulture, $"({c.CapacityUnits} r={c.ReadCapacityUnits} w={c.WriteCapacityUnits})");
}
