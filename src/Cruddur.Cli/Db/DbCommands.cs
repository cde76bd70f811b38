using System.ComponentModel;
using System.Text.Json;
using Cruddur.Cli.Connection;
using Cruddur.Local.Launcher;
using Cruddur.Local.DemoData;
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
        var poolUsers = CognitoListUsers.Parse(await ReadInputAsync(settings.File, cancellationToken));
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

/// <summary>The parts of <c>aws cognito-idp list-users</c> output that matter here.</summary>
internal static class CognitoListUsers
{
    public sealed record PoolUser(string Username, string? PreferredUsername, string? Sub);

    public static IReadOnlyList<PoolUser> Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("Users", out var users) || users.ValueKind != JsonValueKind.Array)
            {
                throw new CliException("The input has no \"Users\" array: is it the output of `aws cognito-idp list-users`?");
            }

            return [.. users.EnumerateArray().Select(Read)];
        }
        catch (JsonException exception)
        {
            throw new CliException($"The input is not JSON: {exception.Message}", exception);
        }
    }

    private static PoolUser Read(JsonElement user)
    {
        var attributes = user.TryGetProperty("Attributes", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray()
                .Where(attribute => attribute.TryGetProperty("Name", out _) && attribute.TryGetProperty("Value", out _))
                .ToDictionary(attribute => attribute.GetProperty("Name").GetString() ?? "", attribute => attribute.GetProperty("Value").GetString())
            : [];
        var username = user.TryGetProperty("Username", out var name) ? name.GetString() ?? "?" : "?";
        return new PoolUser(username, attributes.GetValueOrDefault("preferred_username"), attributes.GetValueOrDefault("sub"));
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
