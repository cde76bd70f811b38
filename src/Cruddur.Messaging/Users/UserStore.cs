using Npgsql;

namespace Cruddur.Messaging.Users;

/// <summary>Users in PostgreSQL: look-ups by Cognito id, handle and uuid, and creation for the sign-ins.</summary>
public sealed class UserStore(NpgsqlDataSource dataSource)
{
    private static readonly string SelectUsers = SqlFiles.Read("Users/users.select.sql");

    /// <summary>The user whose <c>cognito_user_id</c> is a token's <c>sub</c>, or null.</summary>
    public Task<User?> FindByCognitoUserIdAsync(string cognitoUserId, CancellationToken cancellationToken) =>
        CanBeStored(cognitoUserId) ? FindOneAsync("WHERE cognito_user_id = $1", cognitoUserId, cancellationToken) : Task.FromResult<User?>(null);

    /// <summary>The user with this handle (without <c>@</c>, in any case), or null.</summary>
    public Task<User?> FindByHandleAsync(string handle, CancellationToken cancellationToken) =>
        CanBeStored(handle) ? FindOneAsync("WHERE lower(handle) = lower($1)", handle, cancellationToken) : Task.FromResult<User?>(null);

    /// <summary>The user with this uuid, or null.</summary>
    public Task<User?> FindByUuidAsync(Guid uuid, CancellationToken cancellationToken) =>
        FindOneAsync("WHERE uuid = $1", uuid, cancellationToken);

    /// <summary>Creates the user unless the handle exists (in any case); either way returns the stored user.</summary>
    public async Task<User> CreateIfAbsentAsync(string handle, string displayName, string email, string? cognitoUserId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SqlFiles.Read("Users/users.create-if-absent.sql"));
        command.Parameters.Add(new() { Value = handle });
        command.Parameters.Add(new() { Value = displayName });
        command.Parameters.Add(new() { Value = email });
        command.Parameters.Add(new() { Value = (object?)cognitoUserId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? Read(reader)
            : throw new InvalidOperationException($"User @{handle} was neither created nor found.");
    }

    /// <summary>
    /// PostgreSQL text cannot hold a NUL character, and refuses a parameter that has one (an error, not "no rows"):
    /// such a value names no user.
    /// </summary>
    private static bool CanBeStored(string value) => !value.Contains('\0', StringComparison.Ordinal);

    private async Task<User?> FindOneAsync<T>(string where, T value, CancellationToken cancellationToken)
    {
        // The WHERE clauses are constants of this class; values always go in as parameters.
        await using var command = dataSource.CreateCommand($"{SelectUsers.TrimEnd()} {where}");
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static User Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc)));
}
