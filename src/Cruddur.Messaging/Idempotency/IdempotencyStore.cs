using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Table;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Messaging.Idempotency;

/// <summary>What <see cref="IdempotencyStore.ClaimAsync"/> found for a key.</summary>
public enum IdempotencyClaimState
{
    /// <summary>The key is now ours: do the work, then <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.ReleaseAsync"/>.</summary>
    Claimed,

    /// <summary>An earlier request with this key finished: answer its <see cref="IdempotencyClaim.Response"/>.</summary>
    Completed,

    /// <summary>An earlier request with this key is still running.</summary>
    InFlight,

    /// <summary>The key was used for a different request.</summary>
    Mismatch,
}

/// <summary>The outcome of a claim, with the stored response when <see cref="State"/> is <see cref="IdempotencyClaimState.Completed"/>.</summary>
public sealed record IdempotencyClaim(IdempotencyClaimState State, string? Response = null);

/// <summary>
/// Idempotency keys of sends, kept in the messages table (not in process memory, so every instance of the app sees them).
/// A claim is a conditional put of a pending item; the finished request stores its response in it. Items carry
/// <c>expires_at</c> for the table's TTL and no <c>message_group_uuid</c>, so they stay out of the GSI.
/// A pending item whose request died is taken over once its lease has passed.
/// </summary>
public sealed class IdempotencyStore(TableGateway table, TimeProvider timeProvider)
{
    private const string Pending = "pending";
    private const string Done = "done";

    /// <summary>How long a retry with the same key answers the first result.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>How long a pending claim blocks others before it counts as abandoned.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Claims <paramref name="key"/> of <paramref name="userUuid"/> for a request with fingerprint <paramref name="requestHash"/>.</summary>
    public async Task<IdempotencyClaim> ClaimAsync(Guid userUuid, string key, string requestHash, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var request = new PutItemRequest
        {
            Item = new()
            {
                [Pk] = S(IdempotencyPk(userUuid, key)),
                [Sk] = S(IdempotencySk),
                [IdempotencyState] = S(Pending),
                [RequestHash] = S(requestHash),
                [LeaseUntil] = N((now + Lease).ToUnixTimeMilliseconds()),
                [ExpiresAt] = N((now + Retention).ToUnixTimeSeconds()),
            },
            // Free, expired (TTL deletes late), or pending past its lease.
            ConditionExpression = "attribute_not_exists(#pk) OR #expires < :now_s OR (#state = :pending AND #lease < :now_ms)",
            ExpressionAttributeNames = new() { ["#pk"] = Pk, ["#expires"] = ExpiresAt, ["#state"] = IdempotencyState, ["#lease"] = LeaseUntil },
            ExpressionAttributeValues = new()
            {
                [":now_s"] = N(now.ToUnixTimeSeconds()),
                [":now_ms"] = N(now.ToUnixTimeMilliseconds()),
                [":pending"] = S(Pending),
            },
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
        try
        {
            await table.PutItemAsync("idempotency.claim", request, cancellationToken);
            return new(IdempotencyClaimState.Claimed);
        }
        catch (ConditionalCheckFailedException exception)
        {
            var existing = exception.Item ?? [];
            if (Text(existing, RequestHash) != requestHash)
            {
                return new(IdempotencyClaimState.Mismatch);
            }

            return Text(existing, IdempotencyState) == Done
                ? new(IdempotencyClaimState.Completed, Text(existing, Response))
                : new(IdempotencyClaimState.InFlight);
        }
    }

    /// <summary>Stores the response of a claimed key, for retries to answer.</summary>
    public Task CompleteAsync(Guid userUuid, string key, string response, CancellationToken cancellationToken) =>
        table.UpdateItemAsync(
            "idempotency.complete",
            new UpdateItemRequest
            {
                Key = ItemKey(userUuid, key),
                UpdateExpression = "SET #state = :done, #response = :response REMOVE #lease",
                ExpressionAttributeNames = new() { ["#state"] = IdempotencyState, ["#response"] = Response, ["#lease"] = LeaseUntil },
                ExpressionAttributeValues = new() { [":done"] = S(Done), [":response"] = S(response) },
            },
            cancellationToken);

    /// <summary>Gives a claimed key back (the request failed and stored nothing), so a retry runs again.</summary>
    public async Task ReleaseAsync(Guid userUuid, string key, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteItemAsync(
                "idempotency.release",
                new DeleteItemRequest
                {
                    Key = ItemKey(userUuid, key),
                    ConditionExpression = "#state = :pending",
                    ExpressionAttributeNames = new() { ["#state"] = IdempotencyState },
                    ExpressionAttributeValues = new() { [":pending"] = S(Pending) },
                },
                cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Completed or taken over meanwhile: not ours to delete.
        }
    }

    private static Dictionary<string, AttributeValue> ItemKey(Guid userUuid, string key) => new()
    {
        [Pk] = S(IdempotencyPk(userUuid, key)),
        [Sk] = S(IdempotencySk),
    };

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static string? Text(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.S : null;
}
