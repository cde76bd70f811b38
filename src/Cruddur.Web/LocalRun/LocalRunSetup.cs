using Amazon.DynamoDBv2;
using Cruddur.Messaging.Hosting;
using Cruddur.Local.Launcher;
using Cruddur.Local.DemoData;
using Cruddur.Local.StreamProcessor;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cruddur.Web.LocalRun;

/// <summary>What <c>dotnet run</c> does besides serving (section <c>LocalRun</c>; all on in appsettings.Development.json).</summary>
internal sealed class LocalRunSettings
{
    public const string SectionName = "LocalRun";

    /// <summary>Create the DynamoDB table and the PostgreSQL users table when they are missing.</summary>
    public bool LoadSchemas { get; set; }

    /// <summary>Seed the demo users, and the demo conversation when the table is empty.</summary>
    public bool SeedDemoData { get; set; }

    /// <summary>Run pattern E in process, on DynamoDB Local's stream (Development only; read before the services are built).</summary>
    public bool StreamProcessor { get; set; }

    /// <summary>Print the URL and a curl line that signs in.</summary>
    public bool PrintSignInHelp { get; set; }
}

/// <summary>One command runs it all: local services, schemas, demo data, and a hint how to sign in.</summary>
internal static partial class LocalRunSetup
{
    /// <summary>
    /// In Development only: starts DynamoDB Local and PostgreSQL for whatever the configuration leaves unset (nothing in
    /// tests), points the configuration at them and keeps data time-outs short, so an outage becomes a quick 503.
    /// Outside Development it starts nothing and returns null: a missing setting then stops the app at start.
    /// </summary>
    public static async Task<LocalEnvironment?> StartLocalServicesInDevelopmentAsync(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return null;
        }

        var local = await LocalEnvironment.StartForAsync(builder.Configuration, CancellationToken.None);
        builder.Configuration.AddInMemoryCollection(local.Settings);
        await LocalCognitoRun.StartIfAskedAsync(builder, CancellationToken.None);
        if (builder.Configuration[CruddurSettings.PostgresConnectionString] is { Length: > 0 } connectionString)
        {
            var shortened = new NpgsqlConnectionStringBuilder(connectionString);
            shortened.Timeout = Math.Min(shortened.Timeout, 5);
            shortened.CommandTimeout = Math.Min(shortened.CommandTimeout, 10);
            builder.Configuration[CruddurSettings.PostgresConnectionString] = shortened.ConnectionString;
        }

        return local;
    }

    /// <summary>
    /// Schemas and demo data before the server listens, and pattern E on DynamoDB Local's stream when
    /// <c>LocalRun:StreamProcessor</c> is on (in AWS the Lambda does it).
    /// </summary>
    public static WebApplicationBuilder AddLocalRun(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LocalRunSettings>().BindConfiguration(LocalRunSettings.SectionName);
        builder.Services.AddHostedService<LocalDataPreparation>();

        // Read before the container exists because it decides which services there are; only Development has the processor.
        if (builder.Environment.IsDevelopment() && builder.Configuration.GetValue<bool>($"{LocalRunSettings.SectionName}:{nameof(LocalRunSettings.StreamProcessor)}"))
        {
            builder.Services.AddLocalStreamProcessor();
        }

        return builder;
    }

    /// <summary>Once the server listens, prints where and how to sign in (Development only).</summary>
    public static WebApplication PrintSignInHelpWhenStarted(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<LocalRunSettings>>().Value.PrintSignInHelp || app.Services.GetService<LocalCognitoRun>() is not null)
        {
            return app;
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5000";
            Console.WriteLine($$"""

                Cruddur Messaging is listening on {{url}}  (API reference: {{url}}/scalar)
                Sign in as the demo user and list your conversations:
                  TOKEN=$(curl -s -X POST {{url}}/api/dev/sign-in -H 'Content-Type: application/json' -d '{"handle":"andrewbrown"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
                  curl -s {{url}}/api/message_groups -H "Authorization: Bearer $TOKEN"

                """);
        });
        return app;
    }

    /// <summary>Runs before the server starts listening (awaited, not fire-and-forget), so the first request finds the schemas.</summary>
    private sealed partial class LocalDataPreparation(
        IOptions<LocalRunSettings> settings,
        IOptions<MessagingOptions> messaging,
        IAmazonDynamoDB dynamoDb,
        NpgsqlDataSource dataSource,
        TableGateway table,
        UserStore userStore,
        TimeProvider timeProvider,
        ILogger<LocalDataPreparation> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var tableName = messaging.Value.TableName;
            if (settings.Value.LoadSchemas)
            {
                if (await MessageTableSchema.CreateIfMissingAsync(dynamoDb, tableName, cancellationToken))
                {
                    LogCreatedTable(logger, tableName);
                }

                if (await UserSchema.CreateIfMissingAsync(dataSource, cancellationToken))
                {
                    LogCreatedUsers(logger);
                }
            }

            if (settings.Value.SeedDemoData)
            {
                var users = await DemoSeeder.SeedUsersAsync(dataSource, cancellationToken);
                var items = await DemoSeeder.SeedConversationIfEmptyAsync(table, userStore, timeProvider, progress: null, cancellationToken);
                LogSeeded(logger, users, items);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Created the DynamoDB table {TableName}.")]
        private static partial void LogCreatedTable(ILogger logger, string tableName);

        [LoggerMessage(Level = LogLevel.Information, Message = "Created the PostgreSQL table users.")]
        private static partial void LogCreatedUsers(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: {Users} user(s) and {Items} conversation item(s) added.")]
        private static partial void LogSeeded(ILogger logger, int users, int items);
    }
}
