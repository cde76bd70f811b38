using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;

namespace Cruddur.Local.Launcher;

/// <summary>
/// <c>services.json</c> in a data folder: which process runs the folder's DynamoDB Local and PostgreSQL, and where,
/// so that a second process (the web app next to the CLI) uses them instead of starting a second server on the same
/// files. Read and written only while holding <c>services.lock</c>, so two processes never start both at once.
/// </summary>
internal sealed class SharedServicesFile : IDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly string path;
    private readonly FileStream lockFile;

    private SharedServicesFile(string path, FileStream lockFile)
    {
        this.path = path;
        this.lockFile = lockFile;
    }

    /// <summary>Takes the data folder's lock, waiting while another process holds it (it is starting the services).</summary>
    public static async Task<SharedServicesFile> LockAsync(string dataDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        var lockPath = Path.Combine(dataDirectory, "services.lock");
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive lock between processes on Linux too; the OS drops it if the holder dies.
                var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new SharedServicesFile(Path.Combine(dataDirectory, "services.json"), stream);
            }
            catch (IOException) when (waited.Elapsed < timeout)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    /// <summary>The services recorded as running, whoever owns them.</summary>
    public Entries Read()
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Entries>(File.ReadAllText(path), JsonOptions) ?? new() : new();
        }
        catch (JsonException)
        {
            return new();
        }
    }

    public void Write(Entries entries)
    {
        if (entries.DynamoDb is null && entries.Postgres is null)
        {
            File.Delete(path);
            return;
        }

        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(entries, JsonOptions));
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose() => lockFile.Dispose();

    /// <summary>The recorded DynamoDB Local, if its owner is alive and it answers.</summary>
    public static async Task<Entry?> AliveDynamoDbAsync(Entry? entry, CancellationToken cancellationToken)
    {
        if (entry is null || !IsAlive(entry.OwnerPid))
        {
            return null;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        return await DynamoDbLocal.AnswersListTablesAsync(http, new Uri(entry.Address), cancellationToken) ? entry : null;
    }

    /// <summary>The recorded PostgreSQL, if its owner is alive and it accepts a connection.</summary>
    public static async Task<Entry?> AlivePostgresAsync(Entry? entry, CancellationToken cancellationToken)
    {
        if (entry is null || !IsAlive(entry.OwnerPid))
        {
            return null;
        }

        var probe = new NpgsqlConnectionStringBuilder(entry.Address) { Pooling = false, Timeout = 3 }.ConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(probe);
            await connection.OpenAsync(cancellationToken);
            return entry;
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The file's content: one entry per running service.</summary>
    internal sealed record Entries
    {
        public Entry? DynamoDb { get; init; }

        public Entry? Postgres { get; init; }
    }

    /// <summary>A running service: the process that started it (and stops it) and its URL or connection string.</summary>
    internal sealed record Entry(int OwnerPid, string Address);
}
