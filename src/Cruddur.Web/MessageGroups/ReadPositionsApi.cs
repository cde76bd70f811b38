using Cruddur.Messaging;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Web.Authentication;
using Cruddur.Web.Json;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Cruddur.Web.MessageGroups;

/// <summary>
/// Read markers: <c>POST /api/message_groups/{uuid}/read</c> moves my read position (members only: 404 otherwise), and
/// <c>GET /api/message_groups/unread</c> totals my unread messages for a badge.
/// </summary>
internal static class ReadPositionsApi
{
    public static RouteGroupBuilder MapReadPositions(this RouteGroupBuilder groups)
    {
        groups.MapPost("/{message_group_uuid}/read", MarkReadAsync)
            .WithName("MarkMessageGroupRead")
            .WithSummary("Marks the group read up to created_at (no body or {}: its newest message); never backwards. 204.")
            .Accepts<MarkReadRequest>(isOptional: true, "application/json");
        groups.MapGet("/unread", async (HttpContext context, DirectMessages messaging, CancellationToken cancellationToken) =>
                TypedResults.Ok(new UnreadTotalJson(await messaging.CountUnreadAsync(context.GetCurrentUser().Summary, cancellationToken))))
            .WithName("GetUnreadTotal")
            .WithSummary("My unread messages over all groups (each group's count exact up to 50).");
        return groups;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MarkReadAsync(
        HttpContext context, DirectMessages messaging, [FromRoute(Name = "message_group_uuid")] string messageGroupUuid, CancellationToken cancellationToken)
    {
        var groupUuid = MessageGroupUuidText.Parse(messageGroupUuid);
        if (groupUuid.Error is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var upTo = (string?)null;
        if (context.Request.ContentLength is not 0 && (context.Request.ContentLength is not null || context.Request.ContentType is not null))
        {
            var (body, problem) = await JsonBody.ReadAsync(context.Request, ApiJsonContext.Default.MarkReadRequest, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            upTo = body!.CreatedAt;
        }

        var outcome = await messaging.MarkReadAsync(context.GetCurrentUser().Summary, groupUuid.Value, upTo, cancellationToken);
        return outcome.Error is { } error ? ApiProblems.From(error) : TypedResults.NoContent();
    }
}
