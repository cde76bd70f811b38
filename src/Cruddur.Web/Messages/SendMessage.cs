using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cruddur.Messaging;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Idempotency;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Time;
using Cruddur.Messaging.Users;
using Cruddur.Web.Authentication;
using Cruddur.Web.Json;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cruddur.Web.Messages;

/// <summary>
/// <c>POST /api/messages</c>. With an <c>Idempotency-Key</c> header, the key is claimed in DynamoDB before anything is
/// written: a retry of a finished send answers the stored result (for 24 hours); a retry while the first is still
/// running polls until it finishes (up to <see cref="InFlightWait"/>, then 409); the same key with another body is a 422.
/// A send refused by a rule gives its key back, so the refusal is simply computed again.
/// </summary>
internal static class SendMessage
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private static readonly TimeSpan InFlightWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<Results<Ok<CreatedMessageJson>, ProblemHttpResult>> PostAsync(
        HttpContext context, DirectMessages messaging, IdempotencyStore idempotency, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        string? key = null;
        if (context.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var keyValues))
        {
            key = keyValues.Count == 1 ? keyValues[0] : null;
            if (key is not { Length: > 0 and <= 128 } || key.Any(c => c is < '!' or > '~'))
            {
                return ApiProblems.Create(StatusCodes.Status400BadRequest, "idempotency_key_invalid", "Idempotency-Key must be 1–128 visible ASCII characters, given once.");
            }
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

        var requestHash = Fingerprint(target, text);
        var waitUntil = timeProvider.GetUtcNow() + InFlightWait;
        while (true)
        {
            var claim = await idempotency.ClaimAsync(me.Uuid, key, requestHash, cancellationToken);
            switch (claim.State)
            {
                case IdempotencyClaimState.Claimed:
                    return await SendOnceAsync(messaging, idempotency, me, key, target, text, cancellationToken);
                case IdempotencyClaimState.Completed:
                    return TypedResults.Ok(JsonSerializer.Deserialize(claim.Response!, ApiJsonContext.Default.CreatedMessageJson)!);
                case IdempotencyClaimState.Mismatch:
                    return ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused", "This Idempotency-Key was used for a different message.");
                case IdempotencyClaimState.InFlight when timeProvider.GetUtcNow() >= waitUntil:
                    return ApiProblems.Create(StatusCodes.Status409Conflict, "idempotency_request_in_flight", "A request with this Idempotency-Key is still being processed; retry later.");
                default:
                    await Task.Delay(PollInterval, timeProvider, cancellationToken);
                    break;
            }
        }
    }

    private static async Task<Results<Ok<CreatedMessageJson>, ProblemHttpResult>> SendOnceAsync(
        DirectMessages messaging, IdempotencyStore idempotency, UserSummary me, string key, Target target, string text, CancellationToken cancellationToken)
    {
        Outcome<Message> outcome;
        try
        {
            outcome = await SendAsync(messaging, me, target, text, cancellationToken);
        }
        catch
        {
            // Nothing was stored (or the store is unreachable): give the key back so a retry runs again.
            await idempotency.ReleaseAsync(me.Uuid, key, CancellationToken.None);
            throw;
        }

        if (outcome.Error is { } error)
        {
            await idempotency.ReleaseAsync(me.Uuid, key, CancellationToken.None);
            return ApiProblems.From(error);
        }

        var created = ToJson(outcome.Value!);
        // Once the message exists, record the result even if the client has gone: its retry must find it.
        await idempotency.CompleteAsync(me.Uuid, key, JsonSerializer.Serialize(created, ApiJsonContext.Default.CreatedMessageJson), CancellationToken.None);
        return TypedResults.Ok(created);
    }

    private static Task<Outcome<Message>> SendAsync(DirectMessages messaging, UserSummary me, Target target, string text, CancellationToken cancellationToken) =>
        target.GroupUuid is { } groupUuid
            ? messaging.PostToGroupAsync(me, groupUuid, text, cancellationToken)
            : messaging.PostToHandleAsync(me, target.Handle!, text, cancellationToken);

    private static Results<Ok<CreatedMessageJson>, ProblemHttpResult> ToResult(Outcome<Message> outcome) =>
        outcome.Error is { } error ? ApiProblems.From(error) : TypedResults.Ok(ToJson(outcome.Value!));

    private static CreatedMessageJson ToJson(Message message) => new(
        message.MessageGroupUuid,
        message.Uuid,
        message.Sender.DisplayName,
        message.Sender.Handle,
        message.Text,
        MessageTimestamp.Format(message.CreatedAt));

    private static (Target Target, ProblemHttpResult? Problem) ReadTarget(PostMessageRequest body)
    {
        var hasGroup = !string.IsNullOrWhiteSpace(body.MessageGroupUuid);
        var hasHandle = !string.IsNullOrWhiteSpace(body.Handle);
        if (hasGroup && hasHandle)
        {
            return (default, ApiProblems.Create(StatusCodes.Status400BadRequest, "recipient_ambiguous", "Give either message_group_uuid or handle, not both."));
        }

        if (!hasGroup && !hasHandle)
        {
            return (default, ApiProblems.Create(StatusCodes.Status400BadRequest, "recipient_missing", "Give message_group_uuid (an existing conversation) or handle (a user)."));
        }

        if (hasHandle)
        {
            return (new Target(null, body.Handle!.Trim().TrimStart('@')), null);
        }

        return Guid.TryParse(body.MessageGroupUuid, out var groupUuid)
            ? (new Target(groupUuid, null), null)
            : (default, ApiProblems.Create(StatusCodes.Status400BadRequest, "message_group_uuid_invalid", "message_group_uuid is not a uuid."));
    }

    /// <summary>What the request asks for, so that a reused key with another request is recognised.</summary>
    internal static string Fingerprint(Guid? groupUuid, string? handle, string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{groupUuid:D}\n{handle}\n{text}")));

    private static string Fingerprint(Target target, string text) => Fingerprint(target.GroupUuid, target.Handle, text);

    private readonly record struct Target(Guid? GroupUuid, string? Handle);
}
