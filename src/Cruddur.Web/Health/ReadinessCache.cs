using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cruddur.Web.Health;

/// <summary>
/// <c>/health/ready</c> is anonymous, and each check costs a store call (DescribeTable, <c>SELECT 1</c>): every check
/// registered (whoever registers it) answers its last result for <see cref="Freshness"/>, and concurrent hits share
/// one probe, so a flood of probes costs the stores at most one call per check per second.
/// </summary>
internal static class ReadinessCache
{
    /// <summary>How long a check's result is answered again without asking the store.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    public static IServiceCollection AddReadinessCache(this IServiceCollection services)
    {
        services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                var inner = registration.Factory;
                var cache = new CachedResult();
                registration.Factory = provider => new CachedCheck(inner(provider), cache, provider.GetService<TimeProvider>() ?? TimeProvider.System);
            }
        });
        return services;
    }

    /// <summary>One registration's last probe, shared by every instance of its check.</summary>
    private sealed class CachedResult
    {
        private readonly Lock gate = new();
        private Task<HealthCheckResult>? probe;
        private long finishedAt;

        public Task<HealthCheckResult> GetAsync(Func<Task<HealthCheckResult>> start, TimeProvider timeProvider)
        {
            lock (gate)
            {
                var fresh = probe is { IsCompleted: false }
                    || (probe is not null && timeProvider.GetElapsedTime(Volatile.Read(ref finishedAt)) < Freshness);
                if (!fresh)
                {
                    probe = RunAsync(start, timeProvider);
                }

                return probe!;
            }
        }

        private async Task<HealthCheckResult> RunAsync(Func<Task<HealthCheckResult>> start, TimeProvider timeProvider)
        {
            try
            {
                return await start();
            }
            finally
            {
                Volatile.Write(ref finishedAt, timeProvider.GetTimestamp());
            }
        }
    }

    private sealed class CachedCheck(IHealthCheck inner, CachedResult cache, TimeProvider timeProvider) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            // The shared probe runs on its own (the checks bound themselves); each caller waits only as long as its own token allows.
            cache.GetAsync(() => inner.CheckHealthAsync(context, CancellationToken.None), timeProvider).WaitAsync(cancellationToken);
    }
}
