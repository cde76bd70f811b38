using System.Diagnostics;
using Cruddur.Testing;
using Spectre.Console.Testing;

namespace Cruddur.Cli.Tests;

/// <summary>What one in-process run of <c>cruddur</c> returned and printed.</summary>
public sealed record CliResult(int ExitCode, string Output, TimeSpan Elapsed)
{
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// Runs <see cref="CruddurCli.RunAsync"/> in-process on a recording console, pointed at the fixture's services and at
/// this test's own table and database, so that a test never touches the repository's .local services.
/// </summary>
public sealed class CliRun(LocalServicesFixture services, string tableName, string postgresConnectionString)
{
    public string TableName => tableName;

    public string PostgresConnectionString => postgresConnectionString;

    public static async Task<CliRun> CreateAsync(LocalServicesFixture services, CancellationToken cancellationToken) =>
        new(services, LocalServicesFixture.UniqueName("cli"), await services.CreateDatabaseAsync(cancellationToken));

    /// <summary>Runs a command with the connection options added.</summary>
    public Task<CliResult> RunAsync(params string[] args) =>
        RawAsync([.. args, "--dynamodb-url", services.DynamoDbServiceUrl.ToString(), "--postgres", postgresConnectionString, "--table", tableName]);

    /// <summary>Runs exactly the given arguments.</summary>
    public static async Task<CliResult> RawAsync(string[] args, CancellationToken? cancellationToken = null)
    {
        var console = new TestConsole();
        console.Profile.Width = 250;
        var stopwatch = Stopwatch.StartNew();
        var exitCode = await CruddurCli.RunAsync(console, args, cancellationToken ?? TestContext.Current.CancellationToken);
        return new CliResult(exitCode, console.Output, stopwatch.Elapsed);
    }

    /// <summary>Loads both schemas and seeds both stores, checking that each step succeeded.</summary>
    public async Task SeedAllAsync()
    {
        foreach (var command in new[] { "db schema-load", "db seed", "ddb schema-load", "ddb seed" })
        {
            var result = await RunAsync(command.Split(' '));
            result.ExitCode.ShouldBe(0, $"{command}: {result.Output}");
        }
    }
}
