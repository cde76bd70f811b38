using System.Net;
using System.Security.Cryptography;
using Cruddur.Local.Launcher;
using Cruddur.Local.StreamProcessor;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Stream;
using Cruddur.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cruddur.Web.Tests.Infrastructure;

/// <summary>
/// Two app instances on real Kestrel at 127.0.0.1 sharing one table, one database and a throwaway redis-server, with
/// pattern E running outside both (as <c>cruddur dev</c> runs it): so any live update an instance relays came through
/// Redis. Both accept each other's dev tokens (one signing key). The post limit is 4 per user per minute.
/// </summary>
public sealed class TwoInstances(LocalServicesFixture services) : IAsyncLifetime
{
    public const int PostLimit = 4;

    private IHost? processor;

    public RedisServer Redis { get; private set; } = null!;

    public CruddurWebApplication One { get; private set; } = null!;

    public CruddurWebApplication Two { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        try
        {
            Redis = await RedisServer.StartAsync(LocalServicesOptions.Throwaway(), CancellationToken.None);
        }
        catch (LocalServiceException exception)
        {
            throw new InvalidOperationException($"The redis-server for the scale-out tests could not start (./test.sh installs it as root). {exception.Message}", exception);
        }

        var settings = new Dictionary<string, string?>
        {
            [CruddurSettings.DynamoDbServiceUrl] = services.DynamoDbServiceUrl.ToString(),
            [CruddurSettings.PostgresConnectionString] = await services.CreateDatabaseAsync(CancellationToken.None),
            [CruddurSettings.RedisConnectionString] = Redis.ConnectionString,
            ["Messaging:TableName"] = await services.CreateTableAsync(CancellationToken.None),
            ["LocalRun:LoadSchemas"] = "true",
            ["LocalRun:SeedDemoData"] = "false",
            ["LocalRun:StreamProcessor"] = "false",
            ["LocalRun:PrintSignInHelp"] = "false",
            ["Authentication:Development:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["RateLimiting:Posts:PermitLimit"] = PostLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LocalStreamProcessor:PollInterval"] = "00:00:00.050",
            ["Logging:LogLevel:Cruddur.Messaging.Stream"] = "Warning",
        };

        One = Start(settings);
        Two = Start(settings);
        processor = await StartProcessorAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (processor is not null)
        {
            await processor.StopAsync(CancellationToken.None);
            processor.Dispose();
        }

        foreach (var app in (CruddurWebApplication?[])[One, Two])
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }

    /// <summary>Pattern E on the shared table, publishing through Redis: what <c>cruddur dev</c> runs beside the instances.</summary>
    public static async Task<IHost> StartProcessorAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services
            .AddCruddurDataSources(builder.Configuration)
            .AddCruddurMessaging()
            .AddLocalStreamProcessor()
            .AddMessageGroupChangeBackplane(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(CancellationToken.None);
        return host;
    }

    private static CruddurWebApplication Start(IReadOnlyDictionary<string, string?> settings)
    {
        var app = new CruddurWebApplication("Development", settings, configureServices: null);
        app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        return app;
    }
}
