using System.Diagnostics.Metrics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Table.Lean;
using Cruddur.Messaging.Time;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Messaging.Tests.Lean;

/// <summary>
/// Pages A and B read straight from DynamoDB's JSON (<see cref="JsonItem"/>, no SDK item dictionaries) read as the SDK's
/// items read, against the real DynamoDB Local: the same messages, groups, unread counts and read marker, the same
/// cursors, and for every attribute of every type the same string, number and number set.
/// </summary>
public sealed class LeanItemsEquivalenceTests(LocalServicesFixture services)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 22, 41, 58, TimeSpan.Zero);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pages_A_and_B_read_the_same_messages_groups_and_read_marker_on_the_lean_path_and_the_SDKs()
    {
        var table = await services.CreateTableAsync(Token);
        using var sdk = services.CreateDynamoDbClient();
        using var lean = DynamoDbJsonClient.For(sdk, DataSourceServiceCollectionExtensions.LocalCredentials, DataSourceServiceCollectionExtensions.AttemptTimeout);
        using var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var recorder = new ConsumedCapacityRecorder(metrics.GetRequiredService<IMeterFactory>());
        var onLean = new MessageTable(new TableGateway(sdk, lean, table, recorder, NullLogger<TableGateway>.Instance), NullLogger<MessageTable>.Instance);
        var onSdk = new MessageTable(new TableGateway(sdk, null, table, recorder, NullLogger<TableGateway>.Instance), NullLogger<MessageTable>.Instance);

        var (me, other) = (new UserSummary(Guid.NewGuid(), "andrewbrown", "Andrew Brown"), new UserSummary(Guid.NewGuid(), "bayko", "Andrew Bayko 🌍"));
        var group = Guid.NewGuid();
        List<Dictionary<string, AttributeValue>> items = [];
        for (var i = 0; i < 7; i++)
        {
            items.Add(MessageItems.Message(new Message(Guid.NewGuid(), group, $"héllo \"{i}\"\n\tユニコード", i % 2 == 0 ? me : other, Start.AddSeconds(i))));
            var row = MessageItems.GroupRow(me.Uuid, new MessageGroup(Guid.NewGuid(), i % 2 == 0 ? other : me, $"last {i}", Start.AddMinutes(i)));
            if (i % 3 == 0)
            {
                row[ReadAt] = MessageItems.S(MessageTimestamp.Format(Start));
                row[UnreadTimes] = new AttributeValue { NS = ["1", "22", (i + 100).ToString(System.Globalization.CultureInfo.InvariantCulture)] };
                row[ReadVersion] = new AttributeValue { N = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            }

            items.Add(row);
        }

        // What the original scripts wrote (a naive time), what is not a message (a user uuid of another type), and extras.
        var naive = MessageItems.Message(new Message(Guid.NewGuid(), group, "from the original", other, Start.AddSeconds(30)));
        naive[Sk] = MessageItems.S("2026-11-24 22:42:28.123456");
        naive["extra_map"] = new AttributeValue { M = new() { ["x"] = new AttributeValue { S = "y" } } };
        items.Add(naive);
        var malformed = MessageItems.Message(new Message(Guid.NewGuid(), group, "no sender", me, Start.AddSeconds(40)));
        malformed[UserUuid] = new AttributeValue { N = "7" };
        items.Add(malformed);
        items.Add(new()
        {
            [Pk] = MessageItems.S(MessagesPk(group)),
            [Sk] = MessageItems.S(ReadMarkerSk),
            [ReadMarkerAttribute(me.Uuid)] = MessageItems.S(MessageTimestamp.Format(Start.AddSeconds(3))),
            [ReadMarkerAttribute(other.Uuid)] = MessageItems.S(MessageTimestamp.Format(Start.AddSeconds(5))),
            [ReadMarkerPrefix + "not-a-uuid"] = MessageItems.S(MessageTimestamp.Format(Start)),
            ["flag"] = new AttributeValue { BOOL = true },
        });
        foreach (var item in items)
        {
            await sdk.PutItemAsync(new PutItemRequest { TableName = table, Item = item }, Token);
        }

        foreach (var limit in new[] { 2, 3, 20 })
        {
            string? cursor = null;
            do
            {
                var expected = await onSdk.QueryMessagesAsync(group, cursor, limit, Token);
                var actual = await onLean.QueryMessagesAsync(group, cursor, limit, Token);
                actual.Page.Items.ShouldBe(expected.Page.Items, $"A, limit {limit}, after {cursor}");
                actual.Page.LastSortKey.ShouldBe(expected.Page.LastSortKey);
                actual.Marker.Positions.OrderBy(p => p.Key).ShouldBe(expected.Marker.Positions.OrderBy(p => p.Key));
                cursor = expected.Page.LastSortKey;
            }
            while (cursor is not null);

            do
            {
                var expected = await onSdk.QueryGroupsAsync(me.Uuid, cursor, limit, Token);
                var actual = await onLean.QueryGroupsAsync(me.Uuid, cursor, limit, Token);
                actual.Items.ShouldBe(expected.Items, $"B, limit {limit}, after {cursor}");
                actual.LastSortKey.ShouldBe(expected.LastSortKey);
                cursor = expected.LastSortKey;
            }
            while (cursor is not null);
        }

        var all = await onLean.QueryMessagesAsync(group, null, 20, Token);
        all.Page.Items.Count.ShouldBe(8, "seven messages and the original's; the malformed item is left out");
        all.Marker.Positions.Count.ShouldBe(2);
        (await onLean.QueryGroupsAsync(me.Uuid, null, 20, Token)).Items.Sum(g => g.UnreadCount).ShouldBe(9, "three rows with three unread each");
    }

    [Fact]
    public async Task Every_attribute_of_every_type_answers_the_readers_questions_as_the_SDKs_item_does()
    {
        var table = await services.CreateTableAsync(Token);
        using var sdk = services.CreateDynamoDbClient();
        using var lean = DynamoDbJsonClient.For(sdk, DataSourceServiceCollectionExtensions.LocalCredentials, DataSourceServiceCollectionExtensions.AttemptTimeout);
        var pk = "P#" + Guid.NewGuid().ToString("N");
        await sdk.PutItemAsync(
            new PutItemRequest
            {
                TableName = table,
                Item = new()
                {
                    [Pk] = new() { S = pk },
                    [Sk] = new() { S = "S#1" },
                    ["text"] = new() { S = "héllo 🌍 \"quoted\" \\ \u0001" },
                    ["empty_text"] = new() { S = "" },
                    ["number"] = new() { N = "-12345678901234567890.000000000001" },
                    ["numbers"] = new() { NS = ["1", "2.5", "-3"] },
                    ["strings"] = new() { SS = ["a", "b"] },
                    ["bytes"] = new() { B = new MemoryStream([0, 1, 2]) },
                    ["flag"] = new() { BOOL = false },
                    ["nothing"] = new() { NULL = true },
                    ["map"] = new() { M = new() { ["text"] = new() { S = "inner" } } },
                    ["list"] = new() { L = [new() { S = "x" }] },
                },
            },
            Token);
        QueryRequest Request() => new()
        {
            TableName = table,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = pk } },
            ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        };

        var expected = (await sdk.QueryAsync(Request(), Token)).Items.Single();
        var actual = (await lean.QueryItemsAsync(Request(), Token)).Items.Single();

        var sdkItem = new SdkItem(expected);
        foreach (var name in expected.Keys.Append("absent"))
        {
            actual.Text(name).ShouldBe(sdkItem.Text(name), name);
            actual.Number(name).ShouldBe(sdkItem.Number(name), name);
            actual.Numbers(name).ShouldBe(sdkItem.Numbers(name), name);
        }

        actual.Names.ShouldBe([Pk, Sk, "text", "empty_text", "number", "numbers"], ignoreOrder: true, "strings, numbers and number sets; the readers see nothing in the rest");
    }
}
