using Cruddur.Testing;
using Npgsql;

namespace Cruddur.Cli.Tests;

/// <summary><c>db update-cognito-user-ids --user-pool-id</c> against a real cognito-local pool (ListUsers through the SDK's SigV4 handler).</summary>
public sealed class UpdateCognitoUserIdsFromPoolTests(LocalServicesFixture services, CognitoLocalFixture cognito)
{
    [Fact]
    public async Task Pool_users_matched_by_preferred_username_get_their_sub_unmatched_are_listed_and_nothing_else_changes()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var cli = await CliRun.CreateAsync(services, cancellationToken);
        (await cli.RunAsync("db", "schema-load")).ExitCode.ShouldBe(0);
        (await cli.RunAsync("db", "seed")).ExitCode.ShouldBe(0);
        var pool = await cognito.CreatePoolAsync();
        var andrewSub = await pool.CreateUserAsync("andrew-in-pool", "Passw0rd!", new Dictionary<string, string> { ["preferred_username"] = "andrewbrown", ["name"] = "Andrew" }, cancellationToken);
        var londoSub = await pool.CreateUserAsync("londo-in-pool", "Passw0rd!", new Dictionary<string, string> { ["preferred_username"] = "londo" }, cancellationToken);
        await pool.CreateUserAsync("ghost-in-pool", "Passw0rd!", new Dictionary<string, string> { ["preferred_username"] = "ghost" }, cancellationToken);
        await pool.CreateUserAsync("nameless-in-pool", "Passw0rd!", new Dictionary<string, string>(), cancellationToken);
        var before = await CognitoIdsAsync(cli.PostgresConnectionString, cancellationToken);

        var result = await cli.RunAsync("db", "update-cognito-user-ids", "--user-pool-id", pool.UserPoolId, "--cognito-url", cognito.Emulator.ServiceUrl.ToString());

        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldContain("Updated cognito_user_id of 2 user(s): @andrewbrown, @londo.");
        result.Output.ShouldContain("ghost");
        result.Output.ShouldContain("nameless-in-pool (no preferred_username)");
        var after = await CognitoIdsAsync(cli.PostgresConnectionString, cancellationToken);
        after.Keys.ShouldBe(before.Keys, ignoreOrder: true);
        after["andrewbrown"].ShouldBe(andrewSub);
        after["londo"].ShouldBe(londoSub);
        after["bayko"].ShouldBe(before["bayko"]);
    }

    [Fact]
    public async Task A_pool_that_does_not_exist_fails_with_Cognitos_word_and_changes_nothing()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var cli = await CliRun.CreateAsync(services, cancellationToken);
        (await cli.RunAsync("db", "schema-load")).ExitCode.ShouldBe(0);
        (await cli.RunAsync("db", "seed")).ExitCode.ShouldBe(0);
        var before = await CognitoIdsAsync(cli.PostgresConnectionString, cancellationToken);

        var result = await cli.RunAsync("db", "update-cognito-user-ids", "--user-pool-id", "us-east-1_missing", "--cognito-url", cognito.Emulator.ServiceUrl.ToString());

        result.ExitCode.ShouldBe(1, result.Output);
        result.Output.ShouldContain("ResourceNotFoundException");
        (await CognitoIdsAsync(cli.PostgresConnectionString, cancellationToken)).ShouldBe(before);
    }

    [Fact]
    public async Task A_pool_id_without_a_region_needs_region()
    {
        var result = await CliRun.RawAsync(["db", "update-cognito-user-ids", "--user-pool-id", "noregion", "--postgres", "Host=127.0.0.1;Port=1"]);

        result.ExitCode.ShouldBe(1, result.Output);
        result.Output.ShouldContain("--region");
    }

    private static async Task<Dictionary<string, string?>> CognitoIdsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT handle, cognito_user_id FROM users", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<string, string?>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        }

        return rows;
    }
}
