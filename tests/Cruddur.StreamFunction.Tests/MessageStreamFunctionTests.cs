using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Table;
using Cruddur.Testing;
using Microsoft.Extensions.Configuration;

namespace Cruddur.StreamFunction.Tests;

public sealed class MessageStreamFunctionTests(LocalServicesFixture services)
{
    private const string Group = "5ae290ed-55d1-47a0-bc6d-fe2bc2700399";
    private const string Andrew = "b4c7a5a4-8c3d-4a10-9a12-3f2e1d0c9b8a";
    private const string Bayko = "c1d2e3f4-0a1b-4c2d-8e3f-405162738495";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_real_stream_event_moves_the_rows_and_answers_only_the_poisoned_record()
    {
        var tableName = await services.CreateTableAsync(Token);
        using var dynamoDb = services.CreateDynamoDbClient();

        // Group rows as the original Python seed script writes them (naive timestamps).
        await dynamoDb.PutItemAsync(tableName, OriginalGroupRow(owner: Andrew, other: (Bayko, "Bayko", "bayko")), Token);
        await dynamoDb.PutItemAsync(tableName, OriginalGroupRow(owner: Bayko, other: (Andrew, "Andrew Brown", "andrewbrown")), Token);
        using var function = CreateFunction(tableName);

        await using var input = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Events", "dynamodb-stream-event.json"));
        await using var output = await function.HandleAsync(input);
        var answer = await new StreamReader(output, Encoding.UTF8).ReadToEndAsync(Token);

        answer.ShouldBe("""{"batchItemFailures":[{"itemIdentifier":"000000000000000000105"}]}""");
        foreach (var owner in new[] { Andrew, Bayko })
        {
            var rows = (await dynamoDb.QueryAsync(
                new QueryRequest
                {
                    TableName = tableName,
                    ConsistentRead = true,
                    KeyConditionExpression = "pk = :pk",
                    ExpressionAttributeValues = new() { [":pk"] = new AttributeValue("GRP#" + owner) },
                },
                Token)).Items;
            var row = rows.ShouldHaveSingleItem();
            row["sk"].S.ShouldBe("2026-01-02T03:05:00.000000+00:00");
            row["message"].S.ShouldBe("Hello from the event");
            row["message_group_uuid"].S.ShouldBe(Group);
        }
    }

    [Fact]
    public async Task An_event_with_nothing_to_do_answers_an_empty_failure_list()
    {
        using var function = CreateFunction(await services.CreateTableAsync(Token));

        await using var output = await function.HandleAsync(new MemoryStream("""{"Records":[]}"""u8.ToArray()));

        (await new StreamReader(output).ReadToEndAsync(Token)).ShouldBe("""{"batchItemFailures":[]}""");
    }

    [Fact]
    public async Task An_event_that_is_not_json_fails_the_invocation()
    {
        using var function = CreateFunction(await services.CreateTableAsync(Token));

        await Should.ThrowAsync<JsonException>(() => function.HandleAsync(new MemoryStream("not json"u8.ToArray())));
    }

    private MessageStreamFunction CreateFunction(string tableName) =>
        new(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [CruddurSettings.DynamoDbServiceUrl] = services.DynamoDbServiceUrl.ToString(),
                [$"{MessagingOptions.SectionName}:TableName"] = tableName,
            })
            .Build());

    private static Dictionary<string, AttributeValue> OriginalGroupRow(string owner, (string Uuid, string DisplayName, string Handle) other) => new()
    {
        ["pk"] = new AttributeValue("GRP#" + owner),
        ["sk"] = new AttributeValue("2026-01-02T03:04:05.000000"),
        ["message_group_uuid"] = new AttributeValue(Group),
        ["message"] = new AttributeValue("first"),
        ["user_uuid"] = new AttributeValue(other.Uuid),
        ["user_display_name"] = new AttributeValue(other.DisplayName),
        ["user_handle"] = new AttributeValue(other.Handle),
    };
}
