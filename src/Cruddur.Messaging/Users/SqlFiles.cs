using System.Collections.Concurrent;
using System.Reflection;

namespace Cruddur.Messaging.Users;

/// <summary>Reads the <c>.sql</c> files embedded next to the code that runs them.</summary>
internal static class SqlFiles
{
    private static readonly ConcurrentDictionary<(Assembly Assembly, string Path), string> Cache = new();

    /// <summary>The text of an SQL file embedded in this library, by its path in the project (<c>Users/users.schema.sql</c>).</summary>
    public static string Read(string projectPath) => Read(typeof(SqlFiles).Assembly, projectPath);

    /// <summary>The text of an SQL file embedded in <paramref name="assembly"/>, by its path in that project.</summary>
    public static string Read(Assembly assembly, string projectPath) => Cache.GetOrAdd((assembly, projectPath), static key =>
    {
        var resourceName = key.Assembly.GetName().Name + "." + key.Path.Replace('/', '.');
        using var stream = key.Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded SQL file {resourceName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
