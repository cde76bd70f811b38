using System.Globalization;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Paging;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cruddur.Web.Paging;

/// <summary>The <c>limit</c> and <c>cursor</c> query parameters, and the <c>Link: &lt;…&gt;; rel="next"</c> header of the next page.</summary>
internal static class PagingQuery
{
    /// <summary>The page asked for, read by the core's own parser; a limit that is not a number is refused like one out of range.</summary>
    public static (PageRequest? Page, ProblemHttpResult? Problem) Parse(string? limit, string? cursor)
    {
        var page = PageRequestText.Parse(limit, cursor);
        return page.Error is { } error ? (null, ApiProblems.From(error)) : (page.Value, null);
    }

    /// <summary>Announces the next page, if there is one, as a link relative to this request's path.</summary>
    public static void AddNextLink<T>(HttpContext context, Page<T> page, PageRequest request)
    {
        if (page.NextCursor is { } next)
        {
            context.Response.Headers.Link = string.Create(
                CultureInfo.InvariantCulture,
                $"<{context.Request.PathBase}{context.Request.Path}?limit={request.Limit}&cursor={Uri.EscapeDataString(next)}>; rel=\"next\"");
        }
    }
}
