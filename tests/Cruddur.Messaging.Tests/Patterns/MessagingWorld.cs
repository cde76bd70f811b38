using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cruddur.Messaging.Tests.Patterns;

/// <summary>
/// One test's own table and database, and the messaging core built through its real DI registration.
/// <see cref="NewProcess"/> builds a second, independent instance (its own caches), like another app server.
/// </summary>
internal sealed class MessagingWorld : IAsyncDisposable
{
    private readonly List<ServiceProvider> providers = [];

    private MessagingWorld(string tableName, AmazonDynamoDBClient client, NpgsqlDataSource dataSource, TimeProvider timeProvider)
    {
        TableName = tableName;
        Client = client;
        DataSource = dataSource;
        TimeProvider = timeProvider;
        Services = Build();
        Messaging = Services.GetRequiredService<DirectMessages>();
        Recorder = Services.GetRequiredService<ConsumedCapacityRecorder>();
    }

    /// <summary>The services of the core this world's <see cref="Messaging"/> runs on (its stores, gateway and recorder).</summary>
    public IServiceProvider Services { get; }

    public string TableName { get; }

    public AmazonDynamoDBClient Client { get; }

    public NpgsqlDataSource DataSource { get; }

    public TimeProvider TimeProvider { get; }

    public DirectMessages Messaging { get; }

    public ConsumedCapacityRecorder Recorder { get; }

    public static async Task<MessagingWorld> CreateAsync(LocalServicesFixture services, TimeProvider? timeProvider = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tableName = await services.CreateTableAsync(cancellationToken);
        var dataSource = NpgsqlDataSource.Create(await services.CreateDatabaseAsync(cancellationToken));
        await UserSchema.CreateIfMissingAsync(dataSource, cancellationToken);
        return new MessagingWorld(tableName, services.CreateDynamoDbClient(), dataSource, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Another instance of the core on the same table and database, with caches of its own.</summary>
    public DirectMessages NewProcess() => NewProcessWithRecorder().Messaging;

    /// <summary>Like <see cref="NewProcess"/>, with that process's own capacity recorder.</summary>
    public (DirectMessages Messaging, ConsumedCapacityRecorder Recorder) NewProcessWithRecorder()
    {
        var provider = Build();
        return (provider.GetRequiredService<DirectMessages>(), provider.GetRequiredService<ConsumedCapacityRecorder>());
    }

    public async Task<UserSummary> UserAsync(string handle, string? displayName = null)
    {
        var user = await new UserStore(DataSource).CreateIfAbsentAsync(handle, displayName ?? $"User {handle}", $"{handle}@example.com", null, TestContext.Current.CancellationToken);
        return user.Summary;
    }

    /// <summary>Every item of the table (a Scan: only tests and the operator's scan command do this).</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> ScanAsync()
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await Client.ScanAsync(new ScanRequest { TableName = TableName, ExclusiveStartKey = start }, TestContext.Current.CancellationToken);
            items.AddRange(response.Items ?? []);
            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return items;
    }

    public async Task<int> CountItemsAsync() => (await ScanAsync()).Count;

    /// <summary>The items whose pk starts with <paramref name="prefix"/> (GRP#, MSG#, GROUP#, PAIR#).</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> ItemsAsync(string prefix) =>
        [.. (await ScanAsync()).Where(item => item["pk"].S.StartsWith(prefix, StringComparison.Ordinal))];

    /// <summary>Writes an item as it is, like the original Python scripts' put_item.</summary>
    public Task PutRawAsync(Dictionary<string, AttributeValue> item) =>
        Client.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item }, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }

        Client.Dispose();
        await DataSource.DisposeAsync();
    }

    private ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{MessagingOptions.SectionName}:TableName"] = TableName })
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IAmazonDynamoDB>(Client)
            .AddSingleton(DataSource)
            .AddSingleton(TimeProvider)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddCruddurMessaging();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        providers.Add(provider);
        return provider;
    }
}

internal static class Raw
{
    public static AttributeValue S(string value) => new() { S = value };

    /// <summary>A message item as the original <c>create_message</c> wrote it (naive timestamp, no offset).</summary>
    public static Dictionary<string, AttributeValue> OriginalMessage(Guid group, string createdAt, UserSummary sender, string text) => new()
    {
        ["pk"] = S($"MSG#{group}"),
        ["sk"] = S(createdAt),
        ["message_uuid"] = S(Guid.NewGuid().ToString()),
        ["message"] = S(text),
        ["user_uuid"] = S(sender.Uuid.ToString()),
        ["user_display_name"] = S(sender.DisplayName),
        ["user_handle"] = S(sender.Handle),
    };

    /// <summary>A message-group row as the original scripts wrote it: owner's GRP# partition, naming the other user.</summary>
    public static Dictionary<string, AttributeValue> OriginalGroupRow(Guid owner, Guid group, string lastAt, UserSummary other, string text) => new()
    {
        ["pk"] = S($"GRP#{owner}"),
        ["sk"] = S(lastAt),
        ["message_group_uuid"] = S(group.ToString()),
        ["message"] = S(text),
        ["user_uuid"] = S(other.Uuid.ToString()),
        ["user_display_name"] = S(other.DisplayName),
        ["user_handle"] = S(other.Handle),
    };
}

internal static class OutcomeAssertions
{
    public static T ShouldSucceed<T>(this Outcome<T> outcome)
    {
        outcome.Error.ShouldBeNull();
        return outcome.Value!;
    }

    public static MessagingError ShouldFail<T>(this Outcome<T> outcome, string code, MessagingErrorKind kind = MessagingErrorKind.Invalid)
    {
        var error = outcome.Error.ShouldNotBeNull();
        error.Code.ShouldBe(code);
        error.Kind.ShouldBe(kind);
        return error;
    }
}
