using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Idempotency;
using Cruddur.Messaging.Tests.Patterns;
using Cruddur.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cruddur.Messaging.Tests.Idempotency;

/// <summary>
/// Claims carry a token: only their holder renews, completes or releases them. The races are played out step by step
/// on DynamoDB Local with a fake clock that moves past the lease.
/// </summary>
public sealed class IdempotencyStoreTests(LocalServicesFixture services)
{
    private const string Hash = "hash-of-the-request";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_taken_over_after_its_lease_can_neither_complete_nor_release_the_new_claim()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var store = world.Services.GetRequiredService<IdempotencyStore>();
        var (user, key) = (Guid.NewGuid(), "key-1");

        var first = await store.ClaimAsync(user, key, Hash, Token);
        first.State.ShouldBe(IdempotencyClaimState.Claimed);
        (await store.ClaimAsync(user, key, Hash, Token)).State.ShouldBe(IdempotencyClaimState.InFlight);
        clock.Advance(IdempotencyStore.Lease + TimeSpan.FromSeconds(1));
        var second = await store.ClaimAsync(user, key, Hash, Token);
        second.State.ShouldBe(IdempotencyClaimState.Claimed);
        second.Token.ShouldNotBe(first.Token);

        (await store.ReleaseAsync(user, key, first.Token!, Token)).ShouldBeFalse();
        (await store.CompleteAsync(user, key, first.Token!, "first's answer", Token)).ShouldBeFalse();
        (await store.RenewAsync(user, key, first.Token!, Token)).ShouldBeFalse();
        (await store.ReadAsync(user, key, Hash, Token)).State.ShouldBe(IdempotencyClaimState.InFlight);

        (await store.CompleteAsync(user, key, second.Token!, "second's answer", Token)).ShouldBeTrue();
        (await store.ReadAsync(user, key, Hash, Token)).ShouldBe(new IdempotencyClaim(IdempotencyClaimState.Completed, "second's answer"));
        (await store.ReleaseAsync(user, key, second.Token!, Token)).ShouldBeFalse();
    }

    [Fact]
    public async Task Completing_a_released_claim_recreates_nothing()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var store = world.Services.GetRequiredService<IdempotencyStore>();
        var (user, key) = (Guid.NewGuid(), "key-2");
        var claim = await store.ClaimAsync(user, key, Hash, Token);

        (await store.ReleaseAsync(user, key, claim.Token!, Token)).ShouldBeTrue();
        (await store.CompleteAsync(user, key, claim.Token!, "late answer", Token)).ShouldBeFalse();

        (await world.ItemsAsync("IDEM#")).ShouldBeEmpty();
        (await store.ClaimAsync(user, key, Hash, Token)).State.ShouldBe(IdempotencyClaimState.Claimed);
    }

    [Fact]
    public async Task A_send_that_outlives_the_lease_keeps_its_claim_by_renewing_it()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var store = world.Services.GetRequiredService<IdempotencyStore>();
        var requests = world.Services.GetRequiredService<IdempotentRequests>();
        var (user, key) = (Guid.NewGuid(), "key-3");
        var release = new TaskCompletionSource();
        var runs = 0;

        var slow = requests.RunAsync<string>(
            user,
            key,
            Hash,
            async _ =>
            {
                Interlocked.Increment(ref runs);
                await release.Task;
                return "sent once";
            },
            value => value,
            value => value,
            Token);
        var firstLease = await LeaseUntilAsync(world, item => item is not null);

        // Past the first lease, in steps the renewal timer sees: each renewal must land before the clock moves on. The
        // timer starts just after the claim is written, so under load it can miss the first step: then step again.
        var lease = firstLease;
        for (var step = 0; step < 4; step++)
        {
            var previous = lease;
            long? renewed = null;
            for (var nudge = 0; nudge < 3 && renewed is null; nudge++)
            {
                clock.Advance(IdempotentRequests.RenewInterval);
                renewed = await LeaseUntilAsync(world, item => item is not null && Lease(item) > previous, patience: TimeSpan.FromSeconds(5));
            }

            lease = renewed ?? throw new ShouldAssertException("the running send never renewed its lease");
        }

        clock.GetUtcNow().ShouldBeGreaterThan(DateTimeOffset.FromUnixTimeMilliseconds(firstLease));
        (await store.ClaimAsync(user, key, Hash, Token)).State.ShouldBe(IdempotencyClaimState.InFlight);

        release.SetResult();
        var run = await slow;
        run.State.ShouldBe(IdempotentRunState.Ran);
        runs.ShouldBe(1);
        (await store.ReadAsync(user, key, Hash, Token)).ShouldBe(new IdempotencyClaim(IdempotencyClaimState.Completed, "sent once"));
    }

    private static long Lease(Dictionary<string, AttributeValue> item) => long.Parse(item["lease_until"].N, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The claim item's lease once <paramref name="ready"/> holds (polled: the renewal runs on its own task).</summary>
    private static async Task<long> LeaseUntilAsync(MessagingWorld world, Func<Dictionary<string, AttributeValue>?, bool> ready) =>
        await LeaseUntilAsync(world, ready, TimeSpan.FromSeconds(30)) ?? throw new ShouldAssertException("the claim's lease never reached the expected state");

    /// <summary>The claim item's lease once <paramref name="ready"/> holds, or null when it does not within <paramref name="patience"/>.</summary>
    private static async Task<long?> LeaseUntilAsync(MessagingWorld world, Func<Dictionary<string, AttributeValue>?, bool> ready, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            var item = (await world.ItemsAsync("IDEM#")).SingleOrDefault();
            if (ready(item))
            {
                return Lease(item!);
            }

            await Task.Delay(25, Token);
        }

        return null;
    }
}
