using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Table;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Messaging.Idempotency;

/// <summary>What <see cref="IdempotencyStore.ClaimAsync"/> or <see cref="IdempotencyStore.ReadAsync"/> found for a key.</summary>
public enum IdempotencyClaimState
{
    /// <summary>
    /// The key is now ours, held by <see cref="IdempotencyClaim.Token"/>: do the work, then
    /// <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.ReleaseAsync"/> with that token.
    /// </summary>
    Claimed,

    /// <summary>An earlier request with this key finished: answer its <see cref="IdempotencyClaim.Response"/>.</summary>
    Completed,

    /// <summary>An earlier request with this key is still running (its lease has not passed).</summary>
    InFlight,

    /// <summary>The key was used for a different request.</summary>
    Mismatch,

    /// <summary>Nobody holds the key (absent, expired, or its lease passed): claim it.</summary>
    Free,
}

/// <summary>
/// The outcome of a claim: the stored response when <see cref="State"/> is <see cref="IdempotencyClaimState.Completed"/>,
/// the claim's token when it is <see cref="IdempotencyClaimState.Claimed"/>.
/// </summary>
public sealed record IdempotencyClaim(IdempotencyClaimState State, string? Response = null, string? Token = null);

/// <summary>
/// Idempotency keys of sends, kept in the messages table (not in process memory, so every instance of the app sees them).
/// A claim is a conditional put of a pending item carrying a fresh token; only the holder of that token can renew its
/// lease, store the response or give the key back, so a request whose claim was taken over can neither delete nor
/// overwrite the new holder's claim, and nothing recreates an item that is gone. Items carry <c>expires_at</c> for the
/// table's TTL and no <c>message_group_uuid</c>, so they stay out of the GSI. A pending item whose request died (and
/// stopped renewing) is taken over once its lease has passed.
/// </summary>
public sealed class IdempotencyStore(TableGateway table, TimeProvider timeProvider)
{
    private const string Pending = "pending";
    private const string Done = "done";

    /// <summary>How long a retry with the same key answers the first result.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>How long a pending claim blocks others before it counts as abandoned, unless its holder renews it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Claims <paramref name="key"/> of <paramref name="userUuid"/> for a request with fingerprint <paramref name="requestHash"/>.</summary>
    public async Task<IdempotencyClaim> ClaimAsync(Guid userUuid, string key, string requestHash, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var token = Guid.NewGuid().ToString("N");
        var request = new PutItemRequest
        {
            Item = new()
            {
                [Pk] = S(IdempotencyPk(userUuid, key)),
                [Sk] = S(IdempotencySk),
                [IdempotencyState] = S(Pending),
                [RequestHash] = S(requestHash),
                [ClaimToken] = S(token),
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
            return new(IdempotencyClaimState.Claimed, Token: token);
        }
        catch (ConditionalCheckFailedException exception)
        {
            return Describe(exception.Item ?? [], requestHash, now);
        }
    }

    /// <summary>What the key holds now (a strongly consistent read): what a waiting retry polls instead of re-claiming.</summary>
    public async Task<IdempotencyClaim> ReadAsync(Guid userUuid, string key, string requestHash, CancellationToken cancellationToken)
    {
        var response = await table.GetItemAsync(
            "idempotency.read",
            new GetItemRequest { Key = ItemKey(userUuid, key), ConsistentRead = true },
            cancellationToken);
        return response.Item is { Count: > 0 } item ? Describe(item, requestHash, timeProvider.GetUtcNow()) : new(IdempotencyClaimState.Free);
    }

    /// <summary>Extends the lease of the claim held by <paramref name="token"/>; false when that claim is no longer held.</summary>
    public Task<bool> RenewAsync(Guid userUuid, string key, string token, CancellationToken cancellationToken) =>
        UpdateHeldAsync(
            "idempotency.renew",
            userUuid,
            key,
            token,
            "SET #lease = :lease",
            new() { ["#lease"] = LeaseUntil },
            new() { [":lease"] = N((timeProvider.GetUtcNow() + Lease).ToUnixTimeMilliseconds()) },
            cancellationToken);

    /// <summary>
    /// Stores the response of the claim held by <paramref name="token"/>, for retries to answer; false (and nothing
    /// written) when that claim was taken over or is gone.
    /// </summary>
    public Task<bool> CompleteAsync(Guid userUuid, string key, string token, string response, CancellationToken cancellationToken) =>
        UpdateHeldAsync(
            "idempotency.complete",
            userUuid,
            key,
            token,
            "SET #state = :done, #response = :response REMOVE #lease, #token",
            new() { ["#response"] = Response, ["#lease"] = LeaseUntil },
            new() { [":done"] = S(Done), [":response"] = S(response) },
            cancellationToken);

    /// <summary>
    /// Gives back the claim held by <paramref name="token"/> (the request failed and stored nothing), so a retry runs
    /// again; false when the key is no longer ours (completed or taken over meanwhile: not ours to delete).
    /// </summary>
    public async Task<bool> ReleaseAsync(Guid userUuid, string key, string token, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteItemAsync(
                "idempotency.release",
                new DeleteItemRequest
                {
                    Key = ItemKey(userUuid, key),
                    ConditionExpression = "#state = :pending AND #token = :token",
                    ExpressionAttributeNames = new() { ["#state"] = IdempotencyState, ["#token"] = ClaimToken },
                    ExpressionAttributeValues = new() { [":pending"] = S(Pending), [":token"] = S(token) },
                },
                cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>An update that only the pending claim held by <paramref name="token"/> may make; never creates an item.</summary>
    private async Task<bool> UpdateHeldAsync(
        string operation,
        Guid userUuid,
        string key,
        string token,
        string update,
        Dictionary<string, string> names,
        Dictionary<string, AttributeValue> values,
        CancellationToken cancellationToken)
    {
        names["#state"] = IdempotencyState;
        names["#token"] = ClaimToken;
        values[":pending"] = S(Pending);
        values[":token"] = S(token);
        try
        {
            await table.UpdateItemAsync(
                operation,
                new UpdateItemRequest
                {
                    Key = ItemKey(userUuid, key),
                    UpdateExpression = update,
                    ConditionExpression = "#state = :pending AND #token = :token",
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values,
                },
                cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static IdempotencyClaim Describe(Dictionary<string, AttributeValue> item, string requestHash, DateTimeOffset now)
    {
        if (Number(item, ExpiresAt) < now.ToUnixTimeSeconds())
        {
            return new(IdempotencyClaimState.Free);
        }

        if (Text(item, RequestHash) != requestHash)
        {
            return new(IdempotencyClaimState.Mismatch);
        }

        if (Text(item, IdempotencyState) == Done)
        {
            return new(IdempotencyClaimState.Completed, Text(item, Response));
        }

        return Number(item, LeaseUntil) < now.ToUnixTimeMilliseconds() ? new(IdempotencyClaimState.Free) : new(IdempotencyClaimState.InFlight);
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

    private static long Number(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && long.TryParse(value.N, CultureInfo.InvariantCulture, out var number) ? number : long.MaxValue;
}
