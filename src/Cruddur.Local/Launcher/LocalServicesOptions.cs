namespace Cruddur.Local.Launcher;

/// <summary>How the local DynamoDB and PostgreSQL are started when no real endpoint is configured.</summary>
public sealed class LocalServicesOptions
{
    /// <summary>Configuration section these options bind from.</summary>
    public const string SectionName = "LocalServices";

    /// <summary>
    /// Folder that keeps the dev data (<c>dynamodb/</c> and <c>postgres/</c>) between runs.
    /// Null means throwaway services: DynamoDB in memory and a PostgreSQL cluster in a temp folder, deleted on stop.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// JVM flags that halve DynamoDB Local's start-up on a small machine but lower its peak throughput.
    /// On for tests and dev runs; the benchmark turns it off.
    /// </summary>
    public bool FastStartJvm { get; set; } = true;

    /// <summary>PostgreSQL without fsync: for throwaway test clusters only.</summary>
    public bool UnsafeFastPostgres { get; set; }

    /// <summary>Folder of <c>tools/dynamodb-local</c>; found by walking up from the app when unset.</summary>
    public string? DynamoDbLocalToolDirectory { get; set; }

    /// <summary>Folder with <c>initdb</c> and <c>pg_ctl</c>; the newest <c>/usr/lib/postgresql/*/bin</c> when unset.</summary>
    public string? PostgresBinDirectory { get; set; }

    /// <summary>How long each service may take to answer after it is started.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Options for throwaway services, as tests use them.</summary>
    public static LocalServicesOptions Throwaway() => new() { UnsafeFastPostgres = true };
}
