using System.Text.Json;
using Cruddur.Messaging.MessageGroups;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cruddur.Messaging.Stream;

/// <summary>
/// With Redis: publishes every change, whole, as JSON on <see cref="RedisConnection.ChangesChannel"/>, where every app
/// instance's <see cref="RedisChangeRelay"/> hears it. While Redis is down the change goes to this process's own
/// listeners instead, so an instance that runs the stream processor itself still serves its own users.
/// </summary>
internal sealed class RedisChangePublisher(RedisConnection redis, MessageGroupChanges local) : IMessageGroupChangePublisher
{
    public async Task PublishAsync(MessageGroupChange change, IReadOnlyList<Guid> memberUuids, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new PublishedChange(change.Kind, change.MessageGroupUuid, memberUuids), PublishedChangeJsonContext.Default.PublishedChange);
        try
        {
            await redis.Multiplexer.GetSubscriber().PublishAsync(RedisConnection.ChangesChannel, json).WaitAsync(cancellationToken);
            redis.ReportSuccess();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            redis.ReportFailure(exception);
            local.Publish(change, memberUuids);
        }
    }
}

/// <summary>
/// Relays what this instance hears on the Redis channel to its own listeners (<see cref="MessageGroupChanges"/>).
/// Subscribed before the host starts serving; the client subscribes again by itself after a reconnect. A change
/// published while this instance was cut off from Redis is not heard here, so after a reconnect every listener is told to
/// re-read (<see cref="MessageGroupChanges.PublishResync"/>).
/// </summary>
internal sealed partial class RedisChangeRelay(RedisConnection redis, MessageGroupChanges local, ILogger<RedisChangeRelay> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.Multiplexer.ConnectionRestored += OnRestored;
        try
        {
            await redis.Multiplexer.GetSubscriber().SubscribeAsync(RedisConnection.ChangesChannel, (_, value) => Relay(value)).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Not fatal: the subscription is kept and made again when the connection comes up.
            redis.ReportFailure(exception);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        redis.Multiplexer.ConnectionRestored -= OnRestored;
        try
        {
            await redis.Multiplexer.GetSubscriber().UnsubscribeAsync(RedisConnection.ChangesChannel).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Down at shutdown: nothing to undo.
        }
    }

    // Whatever was published while the subscription was down went unheard here: every listener re-reads.
    private void OnRestored(object? sender, ConnectionFailedEventArgs args)
    {
        if (args.ConnectionType == ConnectionType.Subscription)
        {
            local.PublishResync();
        }
    }

    private void Relay(RedisValue value)
    {
        PublishedChange? change;
        try
        {
            change = JsonSerializer.Deserialize((byte[])value!, PublishedChangeJsonContext.Default.PublishedChange);
        }
        catch (JsonException)
        {
            change = null;
        }

        if (change?.MemberUuids is null || change.Kind is null)
        {
            LogUnreadable(logger);
            return;
        }

        local.Publish(new MessageGroupChange(change.MessageGroupUuid, change.Kind), change.MemberUuids);
    }

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "A message on the Redis changes channel was not a change; ignored")]
    private static partial void LogUnreadable(ILogger logger);
}
