using System.ComponentModel;
using System.Text.Json;
using Cruddur.Cli.Connection;
using Cruddur.Local.Launcher;
using Cruddur.Local.DemoData;
using Cruddur.Messaging.Cognito;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Users;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cruddur.Cli.Db;

/// <summary><c>db schema-load</c>: creates the users table; an existing one is left as it is.</summary>
internal sealed class DbSchemaLoadCommand(IAnsiConsole console) : CruddurCommand<ConnectionSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.Postgres;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        var created = await UserSchema.CreateIfMissingAsync(environment.Services.GetRequiredService<NpgsqlDataSource>(), cancellationToken);
        Console.MarkupLine(created
            ? "Created the [green]users[/] table."
            : "The [yellow]users[/] table already exists; nothing changed.");
        return ExitCodes.Ok;
    }
}

/// <summary><c>db seed</c>: the demo users that are missing.</summary>
internal sealed class DbSeedCommand(IAnsiConsole console) : CruddurCommand<ConnectionSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.Postgres;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        var inserted = await DemoSeeder.SeedUsersAsync(environment.Services.GetRequiredService<NpgsqlDataSource>(), cancellationToken);
        var handles = string.Join(", ", DemoSeeder.Users.Select(user => "@" + user.Handle));
        Console.MarkupLineInterpolated($"Inserted {inserted} of {DemoSeeder.Users.Count} demo users ({handles}); {DemoSeeder.Users.Count - inserted} were already there.");
        return ExitCodes.Ok;
    }
}

internal sealed class UpdateCognitoUserIdsSettings : ConnectionSettings
{
    [CommandOption("--file <PATH>")]
    [Description("JSON output of `aws cognito-idp list-users --user-pool-id ...`; `-` or no option reads standard input.")]
    public string? File { get; init; }

    [CommandOption("--user-pool-id <ID>")]
    [Description("Ask this user pool itself (ListUsers, every page; SigV4 with the SDK's credential chain). Region: --region, else the id's prefix.")]
    public string? UserPoolId { get; init; }

    [CommandOption("--cognito-url <URL>")]
    [Description("Another Cognito endpoint, such as cognito-local (Authentication__Cognito__ServiceUrl); signed with the fixed local credentials.")]
    public string? CognitoUrl { get; init; }

    public override Spectre.Console.ValidationResult Validate() =>
        (UserPoolId, File, CognitoUrl) switch
        {
            ({ }, { }, _) => Spectre.Console.ValidationResult.Error("Give either --user-pool-id or --file, not both."),
            (null, _, { }) => Spectre.Console.ValidationResult.Error("--cognito-url needs --user-pool-id."),
            ({ } pool, _, null) when Region is null && CognitoIdentityClient.RegionOfPool(pool) is null =>
                Spectre.Console.ValidationResult.Error($"{pool} names no region (like us-east-1_AbC123): give --region."),
            (_, _, { } url) when !Uri.TryCreate(url, UriKind.Absolute, out _) => Spectre.Console.ValidationResult.Error("--cognito-url must be an absolute URL."),
            _ => Spectre.Console.ValidationResult.Success(),
        };
}

/// <summary>
/// <c>db update-cognito-user-ids</c>: users.cognito_user_id = the pool user's <c>sub</c>, matched by handle =
/// <c>preferred_username</c>. One transaction; unmatched pool users are listed and nothing else changes.
/// </summary>
internal sealed class UpdateCognitoUserIdsCommand(IAnsiConsole console) : CruddurCommand<UpdateCognitoUserIdsSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.Postgres;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, UpdateCognitoUserIdsSettings settings, CancellationToken cancellationToken)
    {
        var poolUsers = settings.UserPoolId is { } userPoolId
            ? await ListPoolUsersAsync(environment, settings, userPoolId, cancellationToken)
            : CognitoListUsers.Parse(await ReadInputAsync(settings.File, cancellationToken));
        var dataSource = environment.Services.GetRequiredService<NpgsqlDataSource>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        List<string> matched = [];
        List<string> unmatched = [];
        foreach (var user in poolUsers)
        {
            if (user.PreferredUsername is null || user.Sub is null)
            {
                unmatched.Add($"{user.Username} (no {(user.PreferredUsername is null ? "preferred_username" : "sub")})");
                continue;
            }

            await using var update = new NpgsqlCommand(CliSqlFiles.Read("Db/users.update-cognito-user-id.sql"), connection, transaction)
            {
                Parameters = { new() { Value = user.PreferredUsername }, new() { Value = user.Sub } },
            };
            (await update.ExecuteScalarAsync(cancellationToken) is null ? unmatched : matched).Add(user.PreferredUsername);
        }

        await transaction.CommitAsync(cancellationToken);
        Console.MarkupLineInterpolated($"Updated cognito_user_id of {matched.Count} user(s){(matched.Count > 0 ? ": @" + string.Join(", @", matched) : "")}.");
        if (unmatched.Count > 0)
        {
            Console.MarkupLineInterpolated($"[yellow]No matching user for {unmatched.Count} pool user(s):[/] {string.Join(", ", unmatched)}");
        }

        return ExitCodes.Ok;
    }

    private static async Task<IReadOnlyList<CognitoUser>> ListPoolUsersAsync(CommandEnvironment environment, UpdateCognitoUserIdsSettings settings, string userPoolId, CancellationToken cancellationToken)
    {
        var region = settings.Region ?? CognitoIdentityClient.RegionOfPool(userPoolId) ?? "us-east-1";
        var serviceUrl = settings.CognitoUrl ?? environment.Configuration[CognitoServiceUrlKey];

        // An emulator checks no signature: sign with the fixed local credentials instead of walking the chain.
        var credentials = serviceUrl is null
            ? await CognitoIdentityClient.DefaultCredentialsAsync(cancellationToken)
            : DataSourceServiceCollectionExtensions.LocalCredentials;
        using var http = CognitoIdentityClient.CreateSignedHttpClient(credentials, region);
        var client = new CognitoIdentityClient(http, serviceUrl is null ? CognitoIdentityClient.DefaultServiceUrl(region) : new Uri(serviceUrl));
        try
        {
            return await client.ListUsersAsync(userPoolId, cancellationToken);
        }
        catch (CognitoException exception)
        {
            throw new CliException($"Cognito refused ListUsers on {userPoolId}: {exception.Message}", exception);
        }
        catch (HttpRequestException exception)
        {
            throw new CliException($"Cognito at {serviceUrl ?? CognitoIdentityClient.DefaultServiceUrl(region).ToString()} did not answer: {exception.Message}", exception);
        }
    }

    private const string CognitoServiceUrlKey = "Authentication:Cognito:ServiceUrl";

    private static async Task<string> ReadInputAsync(string? file, CancellationToken cancellationToken)
    {
        if (file is not null && file != "-")
        {
            return System.IO.File.Exists(file)
                ? await System.IO.File.ReadAllTextAsync(file, cancellationToken)
                : throw new CliException($"{file} does not exist.");
        }

        if (!System.Console.IsInputRedirected)
        {
            throw new CliException("Give the output of `aws cognito-idp list-users` with --file, or pipe it in.");
        }

        return await System.Console.In.ReadToEndAsync(cancellationToken);
    }
}

/// <summary>The users of <c>aws cognito-idp list-users</c> output.</summary>
internal static class CognitoListUsers
{
    public static IReadOnlyList<CognitoUser> Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("Users", out var users) || users.ValueKind != JsonValueKind.Array)
            {
                throw new CliException("The input has no \"Users\" array: is it the output of `aws cognito-idp list-users`?");
            }

            return [.. users.EnumerateArray().Select(user => CognitoUser.Read(user, "Attributes"))];
        }
        catch (JsonException exception)
        {
            throw new CliException($"The input is not JSON: {exception.Message}", exception);
        }
    }
}

/// <summary>Reads the <c>.sql</c> files embedded next to the CLI code that runs them.</summary>
internal static class CliSqlFiles
{
    public static string Read(string projectPath)
    {
        var resourceName = "Cruddur.Cli." + projectPath.Replace('/', '.');
        using var stream = typeof(CliSqlFiles).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded SQL file {resourceName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
