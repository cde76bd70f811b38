using System.Globalization;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Paging;

namespace Cruddur.Messaging.Messages;

/// <summary>Reads the page a caller asks for from text (query parameters, CLI options).</summary>
public static class PageRequestText
{
    /// <summary>
    /// The page, or <c>limit_out_of_range</c> when the limit is not a whole number from 1 to 100 (a limit that is not
    /// a number at all is refused exactly like one out of range). No limit means the default; an empty cursor means none.
    /// </summary>
    public static Outcome<PageRequest> Parse(string? limit, string? cursor)
    {
        var pageSize = PageRequest.DefaultLimit;
        if (limit is not null && !int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize))
        {
            pageSize = 0;
        }

        return MessageValidator.Limit(pageSize) is { } invalid
            ? invalid
            : new PageRequest(pageSize, string.IsNullOrEmpty(cursor) ? null : cursor);
    }
}
