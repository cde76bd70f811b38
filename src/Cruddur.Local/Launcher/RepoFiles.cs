namespace Cruddur.Local.Launcher;

/// <summary>Finds files of the repository checkout the app runs from.</summary>
internal static class RepoFiles
{
    /// <summary>Walks up from the app's folder, then from the working folder, to find a file by its path relative to the repo root.</summary>
    public static string? FindUpwards(string relativePath)
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>The repository root (the folder with global.json and tools/), or null outside a checkout.</summary>
    public static string? FindRoot() =>
        FindUpwards(Path.Combine("tools", "dynamodb-local", "package.json")) is { } packageJson
            ? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(packageJson)!, "..", ".."))
            : null;
}
