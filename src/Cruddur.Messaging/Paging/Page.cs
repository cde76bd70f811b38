namespace Cruddur.Messaging.Paging;

/// <summary>One page of a list, and the opaque cursor of the next page (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>What page a caller asks for: at most <see cref="Limit"/> items, after <see cref="Cursor"/> when given.</summary>
public sealed record PageRequest(int Limit = PageRequest.DefaultLimit, string? Cursor = null)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultLimit = 20;

    /// <summary>The largest page size allowed.</summary>
    public const int MaxLimit = 100;
}
