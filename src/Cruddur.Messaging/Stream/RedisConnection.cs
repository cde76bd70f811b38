using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cruddur.Messaging.Stream;

/// <summary>
/// The one Redis connection of a process (<c>ConnectionStrings:Redis</c>), shared by the change backplane and the web
/// app's post limit. It never fails a caller for being down: it connects in the background and reconnects by itself
/// every second, commands fail fast while it is down (callers fall back), and each outage is logged once.
/// </summary>
public sealed partial class RedisConnection : IDisposable
{
    /// <summary>The pub/sub channel of <see cref="PublishedChange"/>s.</summary>
    public static readonly RedisChannel ChangesChannel = RedisChannel.Literal("cruddur:message-group-changes");

    private readonly Lazy<ConnectionMultiplexer> multiplexer;
    private readonly ILogger<RedisConnection> logger;
    private int down;

    /// <summary>Creates the connection; it is opened on first use.</summary>
    public RedisConnection(string connectionString, ILogger<RedisConnection> logger)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry(1000);
        options.ConnectRetry = 1;
        this.logger = logger;
        multiplexer = new Lazy<ConnectionMultiplexer>(() =>
        {
            var connection = ConnectionMultiplexer.Connect(options);
            connection.ConnectionFailed += (_, args) => ReportFailure(args.Exception);
            connection.ConnectionRestored += (_, _) => ReportSuccess();
            if (!connection.IsConnected)
            {
                ReportFailure(null);
            }

            return connection;
        });
    }

    /// <summary>The multiplexer (connected, or reconnecting in the background).</summary>
    public IConnectionMultiplexer Multiplexer => multiplexer.Value;

    /// <summary>True while the last thing heard of Redis was a failure.</summary>
    public bool IsDown => Volatile.Read(ref down) == 1;

    /// <summary>Records a failed call; the first failure of an outage is logged.</summary>
    public void ReportFailure(Exception? exception)
    {
        if (Interlocked.Exchange(ref down, 1) == 0)
        {
            LogOutage(logger, exception?.Message ?? "not connected");
        }
    }

    /// <summary>Records an answered call; the first one after an outage is logged.</summary>
    public void ReportSuccess()
    {
        if (Interlocked.Exchange(ref down, 0) == 1)
        {
            LogRestored(logger);
        }
    }

    /// <summary>Closes the connection if it was opened.</summary>
    public void Dispose()
    {
        if (multiplexer.IsValueCreated)
        {
            multiplexer.Value.Dispose();
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Redis is unreachable ({Reason}): live updates reach this instance's listeners only and the post limit is per instance until it is back")]
    private static partial void LogOutage(ILogger logger, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Redis answers again: live updates and the post limit are shared across instances")]
    private static partial void LogRestored(ILogger logger);
}
