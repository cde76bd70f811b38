using Cruddur.Testing;

namespace Cruddur.Cli.Tests;

public sealed class ErrorTests(LocalServicesFixture services)
{
    [Fact]
    public async Task An_unreachable_DynamoDB_fails_fast_with_one_clear_line_and_exit_1()
    {
        var result = await CliRun.RawAsync(["ddb", "list-tables", "--dynamodb-url", "http://127.0.0.1:1"]);

        result.ExitCode.ShouldBe(1);
        result.Lines.ShouldHaveSingleItem().ShouldStartWith("Error: Cannot reach DynamoDB at http://127.0.0.1:1");
    }

    [Fact]
    public async Task An_unreachable_PostgreSQL_fails_fast_with_one_clear_line_and_exit_1()
    {
        var result = await CliRun.RawAsync(["db", "schema-load", "--postgres", "Host=127.0.0.1;Port=1;Username=postgres;Database=cruddur"]);

        result.ExitCode.ShouldBe(1);
        result.Lines.ShouldHaveSingleItem().ShouldStartWith("Error: Cannot reach PostgreSQL at 127.0.0.1:1");
    }

    [Fact]
    public async Task Scanning_a_missing_table_says_how_to_create_it()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);

        var result = await cli.RunAsync("ddb", "scan");

        result.ExitCode.ShouldBe(1);
        result.Lines.ShouldHaveSingleItem().ShouldContain("cruddur ddb schema-load");
    }

    [Fact]
    public async Task A_page_size_out_of_range_is_refused_with_exit_1()
    {
        var result = await CliRun.RawAsync(["ddb", "scan", "--page-size", "0", "--dynamodb-url", "http://127.0.0.1:1"]);

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldContain("--page-size must be between 1 and 100");
    }

    [Fact]
    public async Task An_unknown_command_exits_1()
    {
        var result = await CliRun.RawAsync(["ddb", "no-such-command"]);

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldContain("no-such-command");
    }

    [Fact]
    public async Task A_cancelled_run_exits_2()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var result = await CliRun.RawAsync(
            ["ddb", "schema-load", "--dynamodb-url", services.DynamoDbServiceUrl.ToString(), "--postgres", cli.PostgresConnectionString, "--table", cli.TableName],
            cancelled.Token);

        result.ExitCode.ShouldBe(2, result.Output);
    }
}
