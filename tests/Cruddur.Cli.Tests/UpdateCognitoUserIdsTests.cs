using Cruddur.Testing;
using Npgsql;

namespace Cruddur.Cli.Tests;

public sealed class UpdateCognitoUserIdsTests(LocalServicesFixture services)
{
    private const string ListUsersOutput = """
        {
          "Users": [
            {
              "Username": "andrew-in-pool",
              "Attributes": [
                { "Name": "sub", "Value": "11111111-aaaa-4bbb-8ccc-000000000001" },
                { "Name": "preferred_username", "Value": "andrewbrown" },
                { "Name": "email", "Value": "someone-else@example.com" }
              ],
              "UserStatus": "CONFIRMED",
              "Enabled": true
            },
            {
              "Username": "bayko-in-pool",
              "Attributes": [
                { "Name": "preferred_username", "Value": "bayko" },
                { "Name": "sub", "Value": "11111111-aaaa-4bbb-8ccc-000000000002" }
              ]
            },
            {
              "Username": "ghost-in-pool",
              "Attributes": [
                { "Name": "sub", "Value": "11111111-aaaa-4bbb-8ccc-000000000003" },
                { "Name": "preferred_username", "Value": "ghost" }
              ]
            },
            {
              "Username": "nameless-in-pool",
              "Attributes": [ { "Name": "sub", "Value": "11111111-aaaa-4bbb-8ccc-000000000004" } ]
            }
          ]
        }
        """;

    [Fact]
    public async Task Matching_users_get_their_sub_unknown_handles_are_reported_and_nothing_else_changes()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var cli = await CliRun.CreateAsync(services, cancellationToken);
        (await cli.RunAsync("db", "schema-load")).ExitCode.ShouldBe(0);
        (await cli.RunAsync("db", "seed")).ExitCode.ShouldBe(0);
        await ExecuteAsync(cli.PostgresConnectionString, "INSERT INTO users (display_name, handle, email, cognito_user_id) VALUES ('Kept', 'kept', 'kept@example.com', 'kept-sub')", cancellationToken);
        var before = await RowsAsync(cli.PostgresConnectionString, cancellationToken);
        var file = Path.Combine(Directory.CreateTempSubdirectory("cruddur-cognito-").FullName, "users.json");
        await File.WriteAllTextAsync(file, ListUsersOutput, cancellationToken);

        var result = await cli.RunAsync("db", "update-cognito-user-ids", "--file", file);

        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldContain("Updated cognito_user_id of 2 user(s): @andrewbrown, @bayko.");
        result.Output.ShouldContain("ghost");
        result.Output.ShouldContain("nameless-in-pool (no preferred_username)");
        var after = await RowsAsync(cli.PostgresConnectionString, cancellationToken);
        after.Keys.ShouldBe(before.Keys, ignoreOrder: true);
        after["andrewbrown"].ShouldBe(before["andrewbrown"] with { CognitoUserId = "11111111-aaaa-4bbb-8ccc-000000000001" });
        after["bayko"].ShouldBe(before["bayko"] with { CognitoUserId = "11111111-aaaa-4bbb-8ccc-000000000002" });
        foreach (var handle in before.Keys.Except(["andrewbrown", "bayko"]))
        {
            after[handle].ShouldBe(before[handle]);
        }
    }

    [Fact]
    public async Task Input_that_is_not_list_users_output_fails_and_changes_nothing()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var cli = await CliRun.CreateAsync(services, cancellationToken);
        (await cli.RunAsync("db", "schema-load")).ExitCode.ShouldBe(0);
        (await cli.RunAsync("db", "seed")).ExitCode.ShouldBe(0);
        var before = await RowsAsync(cli.PostgresConnectionString, cancellationToken);
        var file = Path.Combine(Directory.CreateTempSubdirectory("cruddur-cognito-").FullName, "users.json");
        await File.WriteAllTextAsync(file, """{"Groups": []}""", cancellationToken);

        var result = await cli.RunAsync("db", "update-cognito-user-ids", "--file", file);

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldContain("\"Users\"");
        (await RowsAsync(cli.PostgresConnectionString, cancellationToken)).ShouldBe(before);
    }

    private sealed record Row(Guid Uuid, string DisplayName, string Handle, string Email, string? CognitoUserId, DateTime CreatedAt);

    private static async Task<Dictionary<string, Row>> RowsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT uuid, display_name, handle, email, cognito_user_id, created_at FROM users ORDER BY handle", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<string, Row>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new Row(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetDateTime(5));
            rows.Add(row.Handle, row);
        }

        return rows;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
