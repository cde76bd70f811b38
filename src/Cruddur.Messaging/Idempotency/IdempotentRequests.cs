using Amazon.Runtime;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Errors;
using Microsoft.Extensions.Logging;

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
/// answers its stored result; a running one is watched with consistent reads until it finishes (up to
/// <see cref="InFlightWait"/>), and claimed again only if it let go or died; while the work runs its claim's lease is
/// renewed, so a slow send is never taken over by a retry; a refusal or a failure gives the key back, so a retry simply
/// runs again; a success is recorded even if the caller has gone.
/// </summary>
public sealed class IdempotentRequests(IdempotencyStore store, TimeProvider timeProvider, ILogger<IdempotentRequests> logger)
{
    /// <summary>How long a retry waits for the first request with its key to finish.</summary>
    public static readonly TimeSpan InFlightWait = TimeSpan.FromSeconds(10);

    /// <summary>How often a running request renews its claim: three chances within one lease.</summary>
    public static readonly TimeSpan RenewInterval = IdempotencyStore.Lease / 3;

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
        var claim = await store.ClaimAsync(userUuid, key, requestHash, cancellationToken);
        while (true)
        {
            switch (claim.State)
            {
                case IdempotencyClaimState.Claimed:
                    return new(IdempotentRunState.Ran, await RunClaimedAsync(userUuid, key, claim.Token!, work, serialize, cancellationToken));
                case IdempotencyClaimState.Completed:
                    return new(IdempotentRunState.Replayed, deserialize(claim.Response!));
                case IdempotencyClaimState.Mismatch:
                    return new(IdempotentRunState.KeyReused);
                case IdempotencyClaimState.Free:
                    claim = await store.ClaimAsync(userUuid, key, requestHash, cancellationToken);
                    break;
                case IdempotencyClaimState.InFlight when timeProvider.GetUtcNow() >= waitUntil:
                    return new(IdempotentRunState.StillRunning);
                default:
                    await Task.Delay(PollInterval, timeProvider, cancellationToken);
                    claim = await store.ReadAsync(userUuid, key, requestHash, cancellationToken);
                    break;
            }
        }
    }

    private async Task<Outcome<T>> RunClaimedAsync<T>(
        Guid userUuid, string key, string token, Func<CancellationToken, Task<Outcome<T>>> work, Func<T, string> serialize, CancellationToken cancellationToken)
    {
        Outcome<T> outcome;
        using (var running = new CancellationTokenSource())
        {
            var renewing = RenewWhileRunningAsync(userUuid, key, token, running.Token);
            try
            {
                outcome = await work(cancellationToken);
            }
            catch
            {
                // Nothing was stored (or the store is unreachable): give the key back so a retry runs again.
                await StopAsync(running, renewing);
                await store.ReleaseAsync(userUuid, key, token, CancellationToken.None);
                throw;
            }

            await StopAsync(running, renewing);
        }

        if (!outcome.Succeeded)
        {
            await store.ReleaseAsync(userUuid, key, token, CancellationToken.None);
            return outcome;
        }

        // Once the work is done, record the result even if the caller has gone: its retry must find it.
        if (!await store.CompleteAsync(userUuid, key, token, serialize(outcome.Value!), CancellationToken.None))
        {
            logger.IdempotencyClaimLost(userUuid, key);
        }

        return outcome;
    }

    private async Task RenewWhileRunningAsync(Guid userUuid, string key, string token, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(RenewInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    if (!await store.RenewAsync(userUuid, key, token, stop))
                    {
                        return;
                    }
                }
                catch (AmazonClientException exception)
                {
                    // A store blip: the lease still has two intervals left; the next tick tries again.
                    logger.IdempotencyRenewFailed(userUuid, key, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The work ended.
        }
    }

    private static async Task StopAsync(CancellationTokenSource running, Task renewing)
    {
        await running.CancelAsync();
        await renewing;
    }
}
