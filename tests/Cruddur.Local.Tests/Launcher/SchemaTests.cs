using Amazon.DynamoDBv2;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Npgsql;

namespace Cruddur.Local.Tests.Launcher;

public sealed class SchemaTests(LocalServicesFixture services)
{
    [Fact]
    public async Task The_table_schema_loads_once_and_matches_the_original_design()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = services.CreateDynamoDbClient();
        var tableName = LocalServicesFixture.UniqueName("schema");

        (await MessageTableSchema.CreateIfMissingAsync(client, tableName, cancellationToken)).ShouldBeTrue();
        (await MessageTableSchema.CreateIfMissingAsync(client, tableName, cancellationToken)).ShouldBeFalse();

        var table = (await client.DescribeTableAsync(tableName, cancellationToken)).Table;
        table.KeySchema.Select(key => (key.AttributeName, key.KeyType.Value)).ShouldBe([("pk", "HASH"), ("sk", "RANGE")]);
        table.BillingModeSummary.BillingMode.ShouldBe(BillingMode.PAY_PER_REQUEST);
        table.StreamSpecification.StreamViewType.ShouldBe(StreamViewType.NEW_AND_OLD_IMAGES);
        var index = table.GlobalSecondaryIndexes.ShouldHaveSingleItem();
        index.IndexName.ShouldBe("message-group-sk-index");
        index.KeySchema.Select(key => (key.AttributeName, key.KeyType.Value)).ShouldBe([("message_group_uuid", "HASH"), ("sk", "RANGE")]);
        index.Projection.ProjectionType.ShouldBe(ProjectionType.ALL);

        (await MessageTableSchema.DropIfExistsAsync(client, tableName, cancellationToken)).ShouldBeTrue();
        (await MessageTableSchema.DropIfExistsAsync(client, tableName, cancellationToken)).ShouldBeFalse();
    }

    [Fact]
    public async Task The_users_schema_loads_once_and_enforces_unique_handles()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var dataSource = NpgsqlDataSource.Create(await services.CreateDatabaseAsync(cancellationToken));

        (await UserSchema.CreateIfMissingAsync(dataSource, cancellationToken)).ShouldBeTrue();
        (await UserSchema.CreateIfMissingAsync(dataSource, cancellationToken)).ShouldBeFalse();

        await using var insert = dataSource.CreateCommand("INSERT INTO users (display_name, handle, email) VALUES ('A', 'same', 'a@example.com')");
        await insert.ExecuteNonQueryAsync(cancellationToken);
        var duplicate = await Should.ThrowAsync<PostgresException>(() => insert.ExecuteNonQueryAsync(cancellationToken));
        duplicate.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
    }
}
