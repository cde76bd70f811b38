using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cruddur.Messaging;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Idempotency;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Time;
using Cruddur.Messaging.Users;
using Cruddur.Web.Authentication;
using Cruddur.Web.Json;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cruddur.Web.Messages;

/// <summary>
/// <c>POST /api/messages</c>. With an <c>Idempotency-Key</c> header the send runs through the core's
/// <see cref="IdempotentRequests"/>: a retry of a finished send answers the stored result (for 24 hours), a retry while
/// the first is still running waits for it (then 409), the same key with another body is a 422.
/// </summary>
internal static class SendMessage
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static async Task<Results<Ok<CreatedMessageJson>, ProblemHttpResult>> PostAsync(
        HttpContext context, DirectMessages messaging, IdempotentRequests idempotent, CancellationToken cancellationToken)
    {
        var (key, keyProblem) = ReadIdempotencyKey(context.Request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var (body, problem) = await JsonBody.ReadAsync(context.Request, ApiJsonContext.Default.PostMessageRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (target, targetProblem) = ReadTarget(body!);
        if (targetProblem is not null)
        {
            return targetProblem;
        }

        var me = context.GetCurrentUser().Summary;
        var text = body!.Message ?? "";
        if (key is null)
        {
            return ToResult(await SendAsync(messaging, me, target, text, cancellationToken));
        }

        var run = await idempotent.RunAsync(
            me.Uuid,
            key,
            Fingerprint(target.GroupUuid, target.Handle, text),
            token => SendAsync(messaging, me, target, text, token),
            created => JsonSerializer.Serialize(created, ApiJsonContext.Default.CreatedMessageJson),
            stored => JsonSerializer.Deserialize(stored, ApiJsonContext.Default.CreatedMessageJson)!,
            cancellationToken);
        return run.State switch
        {
            IdempotentRunState.KeyReused => ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, ApiErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was used for a different message."),
            IdempotentRunState.StillRunning => ApiProblems.Create(StatusCodes.Status409Conflict, ApiErrorCodes.IdempotencyRequestInFlight, "A request with this Idempotency-Key is still being processed; retry later."),
            _ => ToResult(run.Outcome!),
        };
    }

    /// <summary>What the request asks for, so that a reused key with another request is recognised.</summary>
    internal static string Fingerprint(Guid? groupUuid, string? handle, string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{groupUuid:D}\n{handle}\n{text}")));

    /// <summary>The key, null without the header, or a 400 unless it is 1–128 visible ASCII characters given once.</summary>
    private static (string? Key, ProblemHttpResult? Problem) ReadIdempotencyKey(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            return (null, null);
        }

        var key = values.Count == 1 ? values[0] : null;
        return key is { Length: > 0 and <= 128 } && !key.Any(c => c is < '!' or > '~')
            ? (key, null)
            : (null, ApiProblems.Create(StatusCodes.Status400BadRequest, ApiErrorCodes.IdempotencyKeyInvalid, "Idempotency-Key must be 1–128 visible ASCII characters, given once."));
    }

    private static async Task<Outcome<CreatedMessageJson>> SendAsync(DirectMessages messaging, UserSummary me, Target target, string text, CancellationToken cancellationToken)
    {
        var outcome = target.GroupUuid is { } groupUuid
            ? await messaging.PostToGroupAsync(me, groupUuid, text, cancellationToken)
            : await messaging.PostToHandleAsync(me, target.Handle!, text, cancellationToken);
        return outcome.Error is { } error ? error : ToJson(outcome.Value!);
    }

    private static Results<Ok<CreatedMessageJson>, ProblemHttpResult> ToResult(Outcome<CreatedMessageJson> outcome) =>
        outcome.Error is { } error ? ApiProblems.From(error) : TypedResults.Ok(outcome.Value!);

    private static CreatedMessageJson ToJson(Message message) => new(
        message.MessageGroupUuid,
        message.Uuid,
        message.Sender.DisplayName,
        message.Sender.Handle,
        message.Text,
        MessageTimestamp.Format(message.CreatedAt));

    /// <summary>Exactly one recipient, read with the core's parsers (a handle as users type it, a group uuid).</summary>
    private static (Target Target, ProblemHttpResult? Problem) ReadTarget(PostMessageRequest body)
    {
        var hasGroup = !string.IsNullOrWhiteSpace(body.MessageGroupUuid);
        var hasHandle = !string.IsNullOrWhiteSpace(body.Handle);
        if (hasGroup && hasHandle)
        {
            return (default, ApiProblems.Create(StatusCodes.Status400BadRequest, ApiErrorCodes.RecipientAmbiguous, "Give either message_group_uuid or handle, not both."));
        }

        if (!hasGroup && !hasHandle)
        {
            return (default, ApiProblems.Create(StatusCodes.Status400BadRequest, ApiErrorCodes.RecipientMissing, "Give message_group_uuid (an existing conversation) or handle (a user)."));
        }

        if (hasHandle)
        {
            // A handle of only "@" parses to nothing: the core answers it as an unknown handle.
            return (new Target(null, HandleText.Parse(body.Handle) ?? ""), null);
        }

        var groupUuid = MessageGroupUuidText.Parse(body.MessageGroupUuid);
        return groupUuid.Error is { } invalid ? (default, ApiProblems.From(invalid)) : (new Target(groupUuid.Value, null), null);
    }

    private readonly record struct Target(Guid? GroupUuid, string? Handle);
}
