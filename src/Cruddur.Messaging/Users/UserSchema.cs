using Npgsql;

namespace Cruddur.Messaging.Users;

/// <summary>Loads the PostgreSQL <c>users</c> schema, and brings an existing table up to it.</summary>
public static class UserSchema
{
    /// <summary>
    /// Creates the users table and its indexes. Returns false when the table already existed: then only what it lacks
    /// is added (the schema is all <c>IF NOT EXISTS</c>). Throws <see cref="InvalidOperationException"/>, naming them,
    /// when existing handles differ only in case, and changes nothing: someone has to decide who keeps the handle.
    /// </summary>
    public static async Task<bool> CreateIfMissingAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var existed = await ScalarAsync(connection, "SELECT to_regclass('public.users') IS NOT NULL", cancellationToken);
        if (existed && !await ScalarAsync(connection, "SELECT to_regclass('public.users_handle_lower_key') IS NOT NULL", cancellationToken))
        {
            await RefuseCaseDuplicatesAsync(connection, cancellationToken);
        }

        await using var create = new NpgsqlCommand(SqlFiles.Read("Users/users.schema.sql"), connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return !existed;
    }

    private static async Task RefuseCaseDuplicatesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var duplicates = new List<string>();
        await using (var find = new NpgsqlCommand(SqlFiles.Read("Users/users.handle-duplicates.sql"), connection))
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                duplicates.Add(reader.GetString(0));
            }
        }

        if (duplicates.Count > 0)
        {
            throw new InvalidOperationException(
                $"Cannot make handles unique without regard to case: {duplicates.Count} set(s) of users differ only in case ({string.Join("; ", duplicates)}). Rename all but one in each set, then run this again; nothing was changed.");
        }
    }

    private static async Task<bool> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
