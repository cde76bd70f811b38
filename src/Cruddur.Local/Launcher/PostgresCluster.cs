using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Cruddur.Local.Launcher;

/// <summary>A private PostgreSQL cluster from the machine's server binaries, on a free loopback port.</summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    /// <summary>The database the app uses inside the cluster.</summary>
    public const string DatabaseName = "cruddur";

    private const string OsUser = "postgres";

    private readonly string binDirectory;
    private readonly string clusterDirectory;
    private readonly bool throwaway;
    private readonly OrphanGuard guard;

    private PostgresCluster(string binDirectory, string clusterDirectory, bool throwaway, int port, OrphanGuard guard)
    {
        this.binDirectory = binDirectory;
        this.clusterDirectory = clusterDirectory;
        this.throwaway = throwaway;
        this.guard = guard;
        Port = port;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = DatabaseName,
        }.ConnectionString;
    }

    /// <summary>The folder of the cluster (data, socket and log); a throwaway one is deleted on stop.</summary>
    public string ClusterDirectory => clusterDirectory;

    /// <summary>The loopback port the cluster listens on.</summary>
    public int Port { get; }

    /// <summary>Connection string of the <c>cruddur</c> database.</summary>
    public string ConnectionString { get; }

    /// <summary>How long initdb (when needed) and start-up took until the database accepted connections.</summary>
    public TimeSpan StartTime { get; private set; }

    private string DataDirectory => Path.Combine(clusterDirectory, "data");

    /// <summary>Starts a cluster kept in <paramref name="clusterDirectory"/>, or a throwaway one in a temp folder when it is null.</summary>
    public static async Task<PostgresCluster> StartAsync(LocalServicesOptions options, string? clusterDirectory, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var binDirectory = FindBinDirectory(options);
        var throwaway = clusterDirectory is null;
        var directory = clusterDirectory ?? Directory.CreateTempSubdirectory("cruddur-postgres-").FullName;
        Directory.CreateDirectory(directory);
        await MakeReachableByPostgresAsync(directory, cancellationToken);

        var port = FreePort.Next();
        var guard = OrphanGuard.Watch(
            RunAsCommand($"'{Path.Combine(binDirectory, "pg_ctl")}' -D '{Path.Combine(directory, "data")}' -m immediate -w stop")
            + (throwaway ? $"; rm -rf '{directory}'" : ""));
        var cluster = new PostgresCluster(binDirectory, directory, throwaway, port, guard);
        try
        {
            if (!File.Exists(Path.Combine(cluster.DataDirectory, "PG_VERSION")))
            {
                await cluster.RunToolAsync("initdb", ["-D", cluster.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], cancellationToken);
            }

            var serverOptions = $"-p {port.ToString(CultureInfo.InvariantCulture)} -k '{directory}' -c listen_addresses=127.0.0.1"
                + (options.UnsafeFastPostgres ? " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" : "");
            await cluster.RunToolAsync("pg_ctl", ["-D", cluster.DataDirectory, "-l", Path.Combine(directory, "postgres.log"), "-w", "-t", ((int)options.StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-o", serverOptions, "start"], cancellationToken);
            await cluster.CreateDatabaseIfMissingAsync(cancellationToken);
            cluster.StartTime = stopwatch.Elapsed;
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server (fast shutdown) and deletes a throwaway cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], CancellationToken.None);
            }
            catch (LocalServiceException)
            {
                // Not running (it may never have started); nothing to stop.
            }
        }

        guard.Dispose();
        if (throwaway && Directory.Exists(clusterDirectory))
        {
            Directory.Delete(clusterDirectory, recursive: true);
        }
    }

    /// <summary>Stops the server without deleting anything, as an outage would (for fault tests).</summary>
    public Task StopServerAsync(CancellationToken cancellationToken) =>
        RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], cancellationToken);

    private static string RunAsCommand(string command) =>
        ChildProcess.IsRoot ? $"runuser -u {OsUser} -- {command}" : command;

    private static string FindBinDirectory(LocalServicesOptions options)
    {
        if (options.PostgresBinDirectory is { } configured)
        {
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new LocalServiceException($"LocalServices:PostgresBinDirectory is {configured}, but it has no initdb.");
        }

        const string debianRoot = "/usr/lib/postgresql";
        var found = Directory.Exists(debianRoot)
            ? Directory.EnumerateDirectories(debianRoot)
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderBy(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .LastOrDefault()
            : null;
        return found
            ?? (ChildProcess.FindOnPath("initdb") is { } initdb ? Path.GetDirectoryName(initdb)! : null)
            ?? throw new LocalServiceException("The PostgreSQL server binaries (initdb, pg_ctl) were not found: apt-get install postgresql, or set LocalServices:PostgresBinDirectory.");
    }

    private static async Task MakeReachableByPostgresAsync(string directory, CancellationToken cancellationToken)
    {
        if (!ChildProcess.IsRoot)
        {
            return;
        }

        // PostgreSQL refuses to run as root, so the cluster belongs to the postgres user, who must be able to reach it.
        await ChildProcess.RunAsync(ChildProcess.StartInfo("chown", ["-R", $"{OsUser}:", directory]), "chown of " + directory, cancellationToken);
        var unreachable = false;
        try
        {
            await ChildProcess.RunAsync(ChildProcess.StartInfo("runuser", ["-u", OsUser, "--", "test", "-w", directory]), "access check of " + directory, cancellationToken);
        }
        catch (LocalServiceException)
        {
            unreachable = true;
        }

        if (unreachable)
        {
            throw new LocalServiceException($"The postgres user cannot reach {directory}: PostgreSQL refuses to run as root, so its folder must be reachable by the postgres user. Set LocalServices:DataDirectory to a folder under /tmp or /var.");
        }
    }

    private Task<string> RunToolAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ChildProcess.RunAsync(
            ChildProcess.StartInfo(Path.Combine(binDirectory, tool), arguments, clusterDirectory, ChildProcess.IsRoot ? OsUser : null),
            tool,
            cancellationToken);

    private async Task CreateDatabaseIfMissingAsync(CancellationToken cancellationToken)
    {
        var adminConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = DatabaseName } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // CREATE DATABASE takes no parameters; the name is our constant.
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
