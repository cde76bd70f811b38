using Cruddur.Testing;

namespace Cruddur.Cli.Tests;

public sealed class SchemaLoadTests(LocalServicesFixture services)
{
    [Fact]
    public async Task Ddb_schema_load_creates_the_table_then_says_it_exists_and_exits_0()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);

        var first = await cli.RunAsync("ddb", "schema-load");
        var second = await cli.RunAsync("ddb", "schema-load");

        first.ExitCode.ShouldBe(0, first.Output);
        first.Output.ShouldContain($"Created table {cli.TableName}");
        second.ExitCode.ShouldBe(0, second.Output);
        second.Output.ShouldContain($"Table {cli.TableName} already exists; nothing changed.");
        (await cli.RunAsync("ddb", "list-tables", "--json")).Output.ShouldContain($"\"{cli.TableName}\"");
    }

    [Fact]
    public async Task Ddb_drop_removes_the_table_and_a_second_drop_says_there_is_none()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);
        (await cli.RunAsync("ddb", "schema-load")).ExitCode.ShouldBe(0);

        var first = await cli.RunAsync("ddb", "drop");
        var second = await cli.RunAsync("ddb", "drop");

        first.Output.ShouldContain($"Dropped table {cli.TableName}");
        second.ExitCode.ShouldBe(0);
        second.Output.ShouldContain("does not exist");
        (await cli.RunAsync("ddb", "list-tables", "--json")).Output.ShouldNotContain($"\"{cli.TableName}\"");
    }

    [Fact]
    public async Task Db_schema_load_creates_the_users_table_then_says_it_exists_and_exits_0()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);

        var first = await cli.RunAsync("db", "schema-load");
        var second = await cli.RunAsync("db", "schema-load");

        first.ExitCode.ShouldBe(0, first.Output);
        first.Output.ShouldContain("Created the users table.");
        second.ExitCode.ShouldBe(0, second.Output);
        second.Output.ShouldContain("The users table already exists; nothing changed.");
    }

    [Fact]
    public async Task Help_of_every_command_exits_0_and_documents_the_exit_codes()
    {
        string[][] commands =
        [
            [], ["ddb"], ["ddb", "schema-load"], ["ddb", "drop"], ["ddb", "list-tables"], ["ddb", "scan"], ["ddb", "seed"],
            ["ddb", "patterns", "list-conversations"], ["ddb", "patterns", "get-conversation"],
            ["db"], ["db", "schema-load"], ["db", "seed"], ["db", "update-cognito-user-ids"], ["dev"],
        ];
        foreach (var command in commands)
        {
            var result = await CliRun.RawAsync([.. command, "--help"]);

            result.ExitCode.ShouldBe(0, string.Join(' ', command));
            result.Output.ShouldContain("EXIT CODES:");
            result.Output.ShouldContain("2    cancelled");
        }
    }
}
