using System.Globalization;
using Cruddur.Local.Launcher;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Cruddur.Cli.Connection;

/// <summary>
/// What a command runs against: the configuration (environment variables, then options), the local services it
/// needs and the configuration leaves unset, and the library's own DI registration on top.
/// </summary>
internal sealed class CommandEnvironment : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly LocalEnvironment localServices;

    private CommandEnvironment(IConfiguration configuration, ServiceProvider services, LocalEnvironment localServices)
    {
        Configuration = configuration;
        this.services = services;
        this.localServices = localServices;
    }

    public IConfiguration Configuration { get; }

    public IServiceProvider Services => services;

    public LocalEnvironment LocalServices => localServices;

    public string TableName => services.GetRequiredService<IOptions<MessagingOptions>>().Value.TableName;

    public static IConfiguration BuildConfiguration(ConnectionSettings settings) =>
        new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(settings.Overrides())
            .Build();

    public static async Task<CommandEnvironment> StartAsync(ConnectionSettings settings, LocalServiceKinds needed, IAnsiConsole? status, CancellationToken cancellationToken)
    {
        var configured = BuildConfiguration(settings);
        var localServices = await LocalEnvironment.StartForAsync(configured, needed, cancellationToken);
        try
        {
            if (status is not null)
            {
                Describe(localServices, status);
            }

            var configuration = new ConfigurationBuilder()
                .AddConfiguration(configured)
                .AddInMemoryCollection(localServices.Settings)
                .Build();
            var collection = new ServiceCollection()
                .AddSingleton<IConfiguration>(configuration)
                // The commands print their own results; the core's logs would only interleave with them.
                .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
                .AddCruddurDataSources(configuration)
                .AddCruddurMessaging()
                .AddMessageStreamHandler();
            var services = collection.BuildServiceProvider();
            var environment = new CommandEnvironment(configuration, services, localServices);
            // What ValidateOnStart does in a host: a bad table name fails here, naming the key.
            _ = environment.TableName;
            return environment;
        }
        catch
        {
            await localServices.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await localServices.DisposeAsync();
    }

    private static void Describe(LocalEnvironment local, IAnsiConsole status)
    {
        if (local.DynamoDb is { } dynamoDb)
        {
            status.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]Started DynamoDB Local at {dynamoDb.ServiceUrl} in {dynamoDb.StartTime.TotalSeconds:0.0} s.[/]");
        }
        else if (local.SharedDynamoDbOwner is { } dynamoDbOwner)
        {
            status.MarkupLineInterpolated($"[grey]Using the DynamoDB Local of process {dynamoDbOwner} at {local.DynamoDbServiceUrl}.[/]");
        }

        if (local.Postgres is { } postgres)
        {
            status.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]Started PostgreSQL on port {postgres.Port} in {postgres.StartTime.TotalSeconds:0.0} s.[/]");
        }
        else if (local.SharedPostgresOwner is { } postgresOwner)
        {
            status.MarkupLineInterpolated($"[grey]Using the PostgreSQL of process {postgresOwner}.[/]");
        }
    }
}
