using Cruddur.Messaging;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Time;
using Cruddur.Web.Authentication;
using Cruddur.Web.Json;
using Cruddur.Web.Paging;
using Cruddur.Web.Problems;
using Cruddur.Web.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Cruddur.Web.Messages;

/// <summary>
/// <c>GET /api/messages/{message_group_uuid}</c> (pattern A) and <c>POST /api/messages</c> (patterns C and D).
/// A malformed group uuid is a 400 (the core's parser, as in a send's body); a group the caller is not a member of is a 404,
/// exactly like one that does not exist.
/// </summary>
internal static class MessagesApi
{
    public static IEndpointRouteBuilder MapMessages(this IEndpointRouteBuilder app)
    {
        var messages = app.MapGroup("/api/messages").WithTags("Messages").RequireAuthorization();
        messages.MapGet("/{message_group_uuid}", ListAsync)
            .WithName("ListMessages")
            .WithSummary("A page of a group's messages, oldest first; older pages through the Link header. read_by_other: the other member has read up to this message.");
        messages.MapPost("/", SendMessage.PostAsync)
            .RequireRateLimiting(PostRateLimit.PolicyName)
            .WithName("PostMessage")
            .WithSummary("Sends a message to a group (message_group_uuid) or to a user (handle); honours Idempotency-Key.")
            .Accepts<PostMessageRequest>("application/json");
        return app;
    }

    private static async Task<Results<Ok<MessageJson[]>, ProblemHttpResult>> ListAsync(
        HttpContext context,
        DirectMessages messaging,
        [FromRoute(Name = "message_group_uuid")] string messageGroupUuid,
        [FromQuery] string? limit,
        [FromQuery] string? cursor,
        CancellationToken cancellationToken)
    {
        var groupUuid = MessageGroupUuidText.Parse(messageGroupUuid);
        if (groupUuid.Error is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var (page, problem) = PagingQuery.Parse(limit, cursor);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await messaging.ListMessagesAsync(context.GetCurrentUser().Summary, groupUuid.Value, page!, cancellationToken);
        if (outcome.Error is { } error)
        {
            return ApiProblems.From(error);
        }

        PagingQuery.AddNextLink(context, outcome.Value!, page!);
        return TypedResults.Ok(outcome.Value!.Items.Select(ToJson).ToArray());
    }

    internal static MessageJson ToJson(Message message) =>
        new(message.Uuid, message.Sender.DisplayName, message.Sender.Handle, message.Text, MessageTimestamp.Format(message.CreatedAt), ReadByOther: message.ReadByOther);
}
