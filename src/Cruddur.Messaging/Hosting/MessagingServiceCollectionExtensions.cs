using Amazon.DynamoDBv2;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Idempotency;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Table.Lean;
using Cruddur.Messaging.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cruddur.Messaging.Hosting;

/// <summary>The core library's one entry point.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the messaging core. It takes <c>IAmazonDynamoDB</c>, <c>NpgsqlDataSource</c> and <see cref="TimeProvider"/>
    /// from the container (see <see cref="DataSourceServiceCollectionExtensions.AddCruddurDataSources"/>) and never builds them.
    /// </summary>
    public static IServiceCollection AddCruddurMessaging(this IServiceCollection services)
    {
        services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.SectionName)
            .Validate(options => options.TableName.Length is >= 3 and <= 255, $"{MessagingOptions.SectionName}:TableName must be 3–255 characters.")
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton<ConsumedCapacityRecorder>();

        // The one instrumented path to the messages table, and the stores on it. Its hot reads take the lean path,
        // configured from the SDK client (endpoint, region, credentials, time-out, retries).
        services.TryAddSingleton(static provider => DynamoDbJsonClient.For(
            provider.GetRequiredService<IAmazonDynamoDB>(),
            DataSourceServiceCollectionExtensions.LocalCredentials,
            DataSourceServiceCollectionExtensions.AttemptTimeout));
        services.TryAddSingleton(static provider => new TableGateway(
            provider.GetRequiredService<IAmazonDynamoDB>(),
            provider.GetRequiredService<DynamoDbJsonClient>(),
            provider.GetRequiredService<IOptions<MessagingOptions>>().Value.TableName,
            provider.GetRequiredService<ConsumedCapacityRecorder>(),
            provider.GetRequiredService<ILogger<TableGateway>>()));
        services.TryAddSingleton<MessageTable>();
        services.TryAddSingleton<GroupMembership>();
        services.TryAddSingleton<IdempotencyStore>();
        services.TryAddSingleton<IdempotentRequests>();
        services.TryAddSingleton<UserStore>();
        services.TryAddSingleton<ReadPositions>();
        services.TryAddSingleton(static provider => new DirectMessages(
            provider.GetRequiredService<MessageTable>(),
            provider.GetRequiredService<GroupMembership>(),
            provider.GetRequiredService<UserStore>(),
            provider.GetRequiredService<ReadPositions>(),
            provider.GetRequiredService<IMessageGroupChangePublisher>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<DirectMessages>>()));

        // The news of changed groups that the stream handler publishes and the web app's event stream hears.
        services.TryAddSingleton<MessageGroupChanges>();
        services.TryAddSingleton<IMessageGroupChangePublisher, InProcessChangePublisher>();
        return services;
    }
}
