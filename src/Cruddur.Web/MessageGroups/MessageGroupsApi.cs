using Cruddur.Messaging;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Time;
using Cruddur.Web.Authentication;
using Cruddur.Web.Json;
using Cruddur.Web.Paging;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Cruddur.Web.MessageGroups;

/// <summary><c>GET /api/message_groups</c>: my conversations, newest first (pattern B), with their read routes.</summary>
internal static class MessageGroupsApi
{
    public static IEndpointRouteBuilder MapMessageGroups(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/api/message_groups").WithTags("Message groups").RequireAuthorization();
        groups.MapGet("/", ListAsync)
            .WithName("ListMessageGroups")
            .WithSummary("My message groups, newest first, each with its unread_count; the next page is in the Link header.");
        groups.MapReadPositions();
        return app;
    }

    private static async Task<Results<Ok<MessageJson[]>, ProblemHttpResult>> ListAsync(
        HttpContext context, DirectMessages messaging, [FromQuery] string? limit, [FromQuery] string? cursor, CancellationToken cancellationToken)
    {
        var (page, problem) = PagingQuery.Parse(limit, cursor);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await messaging.ListMessageGroupsAsync(context.GetCurrentUser().Summary, page!, cancellationToken);
        if (outcome.Error is { } error)
        {
            return ApiProblems.From(error);
        }

        PagingQuery.AddNextLink(context, outcome.Value!, page!);
        return TypedResults.Ok(outcome.Value!.Items.Select(ToJson).ToArray());
    }

    internal static MessageJson ToJson(MessageGroup group) =>
        new(group.Uuid, group.Other.DisplayName, group.Other.Handle, group.LastMessage, MessageTimestamp.Format(group.LastMessageAt), UnreadCount: group.UnreadCount);
}
