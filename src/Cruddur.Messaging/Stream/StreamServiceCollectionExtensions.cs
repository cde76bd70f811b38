using System.Runtime.CompilerServices;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.MessageGroups;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Cruddur.Messaging.Stream;

/// <summary>Registers pattern E's handler, which the Lambda function and the local stream processor both call.</summary>
public static class StreamServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="MessageStreamHandler"/> (after <c>AddCruddurMessaging()</c>; the Lambda function's only need).</summary>
    public static IServiceCollection AddMessageStreamHandler(this IServiceCollection services)
    {
        services.TryAddSingleton<GroupRowMover>();
        services.TryAddSingleton<StreamMetrics>();
        services.TryAddSingleton(static provider => new MessageStreamHandler(
            provider.GetRequiredService<GroupRowMover>(),
            provider.GetRequiredService<StreamMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IMessageGroupChangePublisher>(),
            provider.GetRequiredService<ILogger<MessageStreamHandler>>()));
        return services;
    }

    /// <summary>
    /// With <c>ConnectionStrings:Redis</c> set: the stream handler publishes through Redis, and a host that runs hosted
    /// services relays what it hears there to its own listeners. Unset: nothing changes (in-process changes).
    /// </summary>
    public static IServiceCollection AddMessageGroupChangeBackplane(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration[CruddurSettings.RedisConnectionString];
        return string.IsNullOrWhiteSpace(connectionString) ? services : AddRedisBackplane(services, connectionString);
    }

    // Its own method, so that an instance without Redis never loads the Redis client's assembly.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IServiceCollection AddRedisBackplane(IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(provider => new RedisConnection(connectionString, provider.GetRequiredService<ILogger<RedisConnection>>()));
        services.Replace(ServiceDescriptor.Singleton<IMessageGroupChangePublisher, RedisChangePublisher>());
        services.AddHostedService<RedisChangeRelay>();
        return services;
    }
}
