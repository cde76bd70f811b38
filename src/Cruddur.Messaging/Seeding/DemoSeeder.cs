using Amazon.DynamoDBv2;
using Npgsql;

namespace Cruddur.Messaging.Seeding;

/// <summary>Seeds the demo users (PostgreSQL) and the demo conversation (DynamoDB). Used by <c>cruddur ddb/db seed</c> and <c>dotnet run</c>.</summary>
public static class DemoSeeder
{
    /// <summary>Inserts the demo users that are missing; returns how many were inserted.</summary>
    public static Task<int> SeedUsersAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        throw new NotImplementedException("issue 2: demo users");

    /// <summary>
    /// Writes the demo conversation between the first two demo users (who must exist) unless the table already
    /// has items; returns the number of items written (0 when it was not empty). Reports progress as items written.
    /// </summary>
    public static Task<int> SeedConversationIfEmptyAsync(IAmazonDynamoDB dynamoDb, NpgsqlDataSource dataSource, string tableName, TimeProvider timeProvider, IProgress<int>? progress, CancellationToken cancellationToken) =>
        throw new NotImplementedException("issue 2: demo conversation");
}
