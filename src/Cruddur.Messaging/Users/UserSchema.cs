using Npgsql;

namespace Cruddur.Messaging.Users;

/// <summary>Loads the PostgreSQL <c>users</c> schema.</summary>
public static class UserSchema
{
    /// <summary>Creates the users table and its indexes. Returns false when the table already existed (nothing changed).</summary>
    public static async Task<bool> CreateIfMissingAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('public.users') IS NOT NULL", connection))
        {
            if ((bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }

        await using var create = new NpgsqlCommand(SqlFiles.Read("Users/users.schema.sql"), connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }
}
