using System.Threading.RateLimiting;
using Cruddur.Messaging.Stream;
using StackExchange.Redis;

namespace Cruddur.Web.RateLimiting;

/// <summary>
/// One user's post limit shared by every instance through Redis: a sliding log in a sorted set, checked and added to
/// in one Lua script on Redis's own clock (so instances' clocks do not matter). While Redis does not answer, the
/// instance's own sliding window decides instead (the outage is logged once by <see cref="RedisConnection"/>).
/// </summary>
internal sealed class SharedPostLimiter(RedisConnection redis, string user, PostRateLimitSettings settings, RateLimiter fallback) : RateLimiter
{
    // Returns -1 when the post is admitted, else the microseconds until the oldest post leaves the window.
    private const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local window = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
          redis.call('ZADD', KEYS[1], now, ARGV[3])
          redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
          return -1
        end
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return tonumber(oldest[2]) + window - now
        """;

    private readonly RedisKey key = $"cruddur:post-limit:{user}";

    public override TimeSpan? IdleDuration => fallback.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => fallback.GetStatistics();

    // The middleware tries a synchronous acquire first; Redis is only asked on the asynchronous path that follows.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.NotYet;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            var microseconds = (long)await redis.Multiplexer.GetDatabase()
                .ScriptEvaluateAsync(Script, [key], [(long)(settings.Window.TotalMilliseconds * 1000), settings.PermitLimit, Guid.NewGuid().ToString("N")])
                .WaitAsync(cancellationToken);
            redis.ReportSuccess();
            return microseconds < 0 ? Lease.Admitted : new Lease(false, TimeSpan.FromTicks(microseconds * 10));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            redis.ReportFailure(exception);
            return await fallback.AcquireAsync(permitCount, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            fallback.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Admitted = new(true, null);

        public static readonly Lease NotYet = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
