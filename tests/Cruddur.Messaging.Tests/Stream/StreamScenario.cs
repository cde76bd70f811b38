using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Time;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cruddur.Messaging.Tests.Stream;

/// <summary>A table of the test's own on DynamoDB Local, conversations seeded as pattern D leaves them, and stream records built from items.</summary>
internal sealed class StreamScenario : IAsyncDisposable
{
    private static long sequence;

    private StreamScenario(LocalServicesFixture services, string tableName)
    {
        Services = services;
        TableName = tableName;
        DynamoDb = services.CreateDynamoDbClient();
    }

    public LocalServicesFixture Services { get; }

    public string TableName { get; }

    public AmazonDynamoDBClient DynamoDb { get; }

    /// <summary>An early, fixed time: message times are offsets from it.</summary>
    public static DateTimeOffset T0 { get; } = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    /// <summary>A scenario on an existing table.</summary>
    public static StreamScenario ForTable(LocalServicesFixture services, string tableName) => new(services, tableName);

    public static async Task<StreamScenario> CreateAsync(LocalServicesFixture services, CancellationToken cancellationToken) =>
        new(services, await services.CreateTableAsync(cancellationToken));

    /// <summary>The settings a host needs for this table.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        [CruddurSettings.DynamoDbServiceUrl] = Services.DynamoDbServiceUrl.ToString(),
        [CruddurSettings.PostgresConnectionString] = Services.PostgresConnectionString,
        [$"{MessagingOptions.SectionName}:TableName"] = TableName,
    };

    /// <summary>A container with the core and the stream handler on this table (one per "handler process").</summary>
    public ServiceProvider CreateServices(Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .AddCruddurDataSources(configuration)
            .AddCruddurMessaging()
            .AddMessageStreamHandler();
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>A conversation as pattern D leaves it: both group rows at the first message's time.</summary>
    public async Task<Conversation> SeedConversationAsync(CancellationToken cancellationToken, DateTimeOffset? firstAt = null)
    {
        var a = NewUser("alice");
        var b = NewUser("bob");
        var conversation = new Conversation(Guid.NewGuid(), a, b);
        var at = firstAt ?? T0;
        await PutAsync(MessageItems.GroupRow(a.Uuid, new MessageGroup(conversation.Uuid, b, "first", at)), cancellationToken);
        await PutAsync(MessageItems.GroupRow(b.Uuid, new MessageGroup(conversation.Uuid, a, "first", at)), cancellationToken);
        return conversation;
    }

    public Task PutAsync(Dictionary<string, AttributeValue> item, CancellationToken cancellationToken) =>
        DynamoDb.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item }, cancellationToken);

    /// <summary>Writes a message item exactly as pattern C does.</summary>
    public async Task<Message> PostAsync(Conversation conversation, UserSummary sender, string text, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var message = conversation.Message(sender, text, at);
        await DynamoDb.PutItemAsync(
            new PutItemRequest
            {
                TableName = TableName,
                Item = MessageItems.Message(message),
                ConditionExpression = "attribute_not_exists(pk)",
            },
            cancellationToken);
        return message;
    }

    /// <summary>Every row of the group, per owner, newest first, read consistently from the base table.</summary>
    public async Task<Dictionary<Guid, List<MessageGroup>>> RowsAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<Guid, List<MessageGroup>>();
        foreach (var owner in new[] { conversation.A.Uuid, conversation.B.Uuid })
        {
            var response = await DynamoDb.QueryAsync(
                new QueryRequest
                {
                    TableName = TableName,
                    ConsistentRead = true,
                    ScanIndexForward = false,
                    KeyConditionExpression = "pk = :pk",
                    FilterExpression = "message_group_uuid = :g",
                    ExpressionAttributeValues = new()
                    {
                        [":pk"] = MessageItems.S(MessageTableKeys.GroupRowPk(owner)),
                        [":g"] = MessageItems.S(conversation.Uuid.ToString("D")),
                    },
                },
                cancellationToken);
            rows[owner] = (response.Items ?? []).Select(item => MessageItems.ReadGroupRow(item)!).ToList();
        }

        return rows;
    }

    /// <summary>Asserts that each participant has exactly one row, at <paramref name="message"/>'s time and text.</summary>
    public async Task ShouldShowAsync(Conversation conversation, Message message, CancellationToken cancellationToken)
    {
        foreach (var (owner, rows) in await RowsAsync(conversation, cancellationToken))
        {
            var row = rows.ShouldHaveSingleItem($"owner {owner} should have exactly one row");
            row.LastMessageAt.ShouldBe(message.CreatedAt);
            row.LastMessage.ShouldBe(message.Text);
        }
    }

    public static StreamRecord Insert(Dictionary<string, AttributeValue> item) => Record("INSERT", item, newImage: item, oldImage: null);

    public static StreamRecord Insert(Message message) => Insert(MessageItems.Message(message));

    public static StreamRecord Record(string eventName, Dictionary<string, AttributeValue> keysOf, Dictionary<string, AttributeValue>? newImage, Dictionary<string, AttributeValue>? oldImage)
    {
        var number = Interlocked.Increment(ref sequence).ToString("D21", CultureInfo.InvariantCulture);
        var keys = keysOf.Where(attribute => attribute.Key is "pk" or "sk").ToDictionary();
        return new StreamRecord(
            Guid.NewGuid().ToString("N"),
            eventName,
            new StreamRecordData(
                StreamAttributeValue.FromItem(keys),
                newImage is null ? null : StreamAttributeValue.FromItem(newImage),
                oldImage is null ? null : StreamAttributeValue.FromItem(oldImage),
                number));
    }

    public ValueTask DisposeAsync()
    {
        DynamoDb.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Pattern E's calls that write.</summary>
    public static readonly string[] WriteOperations = ["E.put_row", "E.delete_row", "E.update_unread", "E.transact_move"];

    /// <summary>Pattern E's calls that read.</summary>
    public static readonly string[] ReadOperations = ["E.query_rows", "E.repair_query"];

    /// <summary>Total write units the recorder saw for pattern E's writes ("units": DynamoDB Local does not split read and write).</summary>
    public static double StreamWriteUnits(ConsumedCapacityRecorder recorder, string? target = null) => Units(recorder, WriteOperations, "write", target);

    /// <summary>Total read units the recorder saw for pattern E's reads.</summary>
    public static double StreamReadUnits(ConsumedCapacityRecorder recorder) => Units(recorder, ReadOperations, "read", target: null);

    private static double Units(ConsumedCapacityRecorder recorder, string[] operations, string kind, string? target) =>
        recorder.Totals
            .Where(total => operations.Contains(total.Key.Operation) && (total.Key.Kind == kind || total.Key.Kind == "units") && (target is null || total.Key.Target == target))
            .Sum(total => total.Value);

    private static UserSummary NewUser(string name)
    {
        var uuid = Guid.NewGuid();
        return new UserSummary(uuid, $"{name}{uuid:N}"[..12], name);
    }
}

/// <summary>A two-person conversation of a test.</summary>
internal sealed record Conversation(Guid Uuid, UserSummary A, UserSummary B)
{
    public Message Message(UserSummary sender, string text, DateTimeOffset at) =>
        new(Guid.NewGuid(), Uuid, text, sender, MessageTimestamp.Parse(MessageTimestamp.Format(at)));
}
