using System.Collections.Concurrent;

namespace Cruddur.Messaging;

/// <summary>Reads the <c>.sql</c> files embedded next to the code that runs them.</summary>
internal static class SqlFiles
{
    private static readonly ConcurrentDictionary<string, string> Cache = new();

    /// <summary>The text of an embedded SQL file, by its path in the project (<c>Users/users.schema.sql</c>).</summary>
    public static string Read(string projectPath) => Cache.GetOrAdd(projectPath, static path =>
    {
        var resourceName = "Cruddur.Messaging." + path.Replace('/', '.');
        using var stream = typeof(SqlFiles).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded SQL file {resourceName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
