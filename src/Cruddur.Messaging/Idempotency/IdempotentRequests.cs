using Cruddur.Messaging.Errors;

namespace Cruddur.Messaging.Idempotency;

/// <summary>What became of a request run under an idempotency key.</summary>
public enum IdempotentRunState
{
    /// <summary>This request ran the work; <see cref="IdempotentRun{T}.Outcome"/> is its outcome (a value or a refusal).</summary>
    Ran,

    /// <summary>An earlier request with this key had finished; <see cref="IdempotentRun{T}.Outcome"/> is its stored value.</summary>
    Replayed,

    /// <summary>The key was used for a different request; nothing ran.</summary>
    KeyReused,

    /// <summary>An earlier request with this key was still running after the wait; nothing ran.</summary>
    StillRunning,
}

/// <summary>The state of an idempotent run and, when it ran or was replayed, its outcome.</summary>
public sealed record IdempotentRun<T>(IdempotentRunState State, Outcome<T>? Outcome = null);

/// <summary>
/// The workflow around <see cref="IdempotencyStore"/>: claim the key before any work; a finished earlier request
/// answers its stored result; a running one is polled until it finishes (up to <see cref="InFlightWait"/>); a refusal
/// or a failure gives the key back, so a retry simply runs again; a success is recorded even if the caller has gone.
/// </summary>
public sealed class IdempotentRequests(IdempotencyStore store, TimeProvider timeProvider)
{
    /// <summary>How long a retry waits for the first request with its key to finish.</summary>
    public static readonly TimeSpan InFlightWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Runs <paramref name="work"/> at most once per <paramref name="userUuid"/> and <paramref name="key"/>;
    /// <paramref name="requestHash"/> tells a retry from another request reusing the key. A successful value is stored
    /// as <paramref name="serialize"/> writes it and read back with <paramref name="deserialize"/> for retries.
    /// </summary>
    public async Task<IdempotentRun<T>> RunAsync<T>(
        Guid userUuid,
        string key,
        string requestHash,
        Func<CancellationToken, Task<Outcome<T>>> work,
        Func<T, string> serialize,
        Func<string, T> deserialize,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(serialize);
        ArgumentNullException.ThrowIfNull(deserialize);
        var waitUntil = timeProvider.GetUtcNow() + InFlightWait;
        while (true)
        {
            var claim = await store.ClaimAsync(userUuid, key, requestHash, cancellationToken);
            switch (claim.State)
            {
                case IdempotencyClaimState.Claimed:
                    return new(IdempotentRunState.Ran, await RunClaimedAsync(userUuid, key, work, serialize, cancellationToken));
                case IdempotencyClaimState.Completed:
                    return new(IdempotentRunState.Replayed, deserialize(claim.Response!));
                case IdempotencyClaimState.Mismatch:
                    return new(IdempotentRunState.KeyReused);
                case IdempotencyClaimState.InFlight when timeProvider.GetUtcNow() >= waitUntil:
                    return new(IdempotentRunState.StillRunning);
                default:
                    await Task.Delay(PollInterval, timeProvider, cancellationToken);
                    break;
            }
        }
    }

    private async Task<Outcome<T>> RunClaimedAsync<T>(
        Guid userUuid, string key, Func<CancellationToken, Task<Outcome<T>>> work, Func<T, string> serialize, CancellationToken cancellationToken)
    {
        Outcome<T> outcome;
        try
        {
            outcome = await work(cancellationToken);
        }
        catch
        {
            // Nothing was stored (or the store is unreachable): give the key back so a retry runs again.
            await store.ReleaseAsync(userUuid, key, CancellationToken.None);
            throw;
        }

        if (!outcome.Succeeded)
        {
            await store.ReleaseAsync(userUuid, key, CancellationToken.None);
            return outcome;
        }

        // Once the work is done, record the result even if the caller has gone: its retry must find it.
        await store.CompleteAsync(userUuid, key, serialize(outcome.Value!), CancellationToken.None);
        return outcome;
    }
}
