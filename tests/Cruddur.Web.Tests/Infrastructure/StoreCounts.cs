using Cruddur.Testing;
using Npgsql;

namespace Cruddur.Web.Tests.Infrastructure;

/// <summary>What a test's app has stored: every item of its table and every row of its users table.</summary>
public readonly record struct StoreCounts(int Items, int Users)
{
    public static async Task<StoreCounts> ReadAsync(LocalServicesFixture services, CruddurWebApplication app)
    {
        var items = (await TableItems.ScanAsync(services, app.TableName)).Count;
        await using var connection = new NpgsqlConnection(app.Settings["ConnectionStrings:Postgres"]);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM users", connection);
        var users = Convert.ToInt32(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        return new StoreCounts(items, users);
    }
}
