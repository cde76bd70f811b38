namespace Cruddur.Deploy.Tests;

/// <summary>Short builders for the nested dictionaries that <c>Match.ObjectLike</c> takes.</summary>
internal static class Props
{
    public static Dictionary<string, object> Of(params (string Key, object Value)[] entries) =>
        entries.ToDictionary(entry => entry.Key, entry => entry.Value);
}
