using System.Globalization;
using System.Threading.RateLimiting;
using Cruddur.Messaging.Stream;
using Cruddur.Web.Authentication;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Cruddur.Web.RateLimiting;

/// <summary>How many messages one user may send per window (section <c>RateLimiting:Posts</c>).</summary>
internal sealed class PostRateLimitSettings
{
    public const string SectionName = "RateLimiting:Posts";

    public int PermitLimit { get; set; } = 30;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Posts this instance handles at once, whoever sends them; the others wait their turn in arrival order.</summary>
    public int MaxInFlight { get; set; } = 16;

    /// <summary>Posts that may wait for a turn; past it a post is answered 503 at once.</summary>
    public int MaxQueued { get; set; } = 1000;
}

/// <summary>
/// Two limits on sending. Per user: a sliding window, answered with a 429 problem and Retry-After; shared by all
/// instances through Redis when <c>ConnectionStrings:Redis</c> is set (<see cref="SharedPostLimiter"/>), per instance
/// otherwise. Per instance: at most <see cref="PostRateLimitSettings.MaxInFlight"/> posts at once, the rest queued
/// (503 past <see cref="PostRateLimitSettings.MaxQueued"/>). More posts at once than the store can take do not go any
/// faster, they only lengthen the store's queue, and pattern E's row moves wait in that queue behind them: queued here,
/// a burst of posts no longer delays every conversation's row (bench/RESULTS.md, pattern E lag at 64 users).
/// </summary>
internal sealed class PostRateLimit(IOptions<PostRateLimitSettings> settings) : IRateLimiterPolicy<string>
{
    public const string PolicyName = "posts";

    private const int Segments = 6;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, _) =>
    {
        // A sliding window frees permits segment by segment: one segment is the longest wait.
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var known) ? known : settings.Value.Window / Segments;
        context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, ApiErrorCodes.RateLimited, "Too many messages in a short time; slow down.");
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var user = httpContext.Features.Get<CurrentUser>()?.User.Uuid.ToString("D") ?? "anonymous";
        return httpContext.RequestServices.GetService<RedisConnection>() is { } redis
            ? RateLimitPartition.Get(user, key => new SharedPostLimiter(redis, key, settings.Value, new SlidingWindowRateLimiter(Limiter(settings.Value))))
            : RateLimitPartition.GetSlidingWindowLimiter(user, _ => Limiter(settings.Value));
    }

    private static SlidingWindowRateLimiterOptions Limiter(PostRateLimitSettings settings) => new()
    {
        PermitLimit = settings.PermitLimit,
        Window = settings.Window,
        SegmentsPerWindow = Segments,
        QueueLimit = 0,
    };
}

internal static class PostRateLimitServiceCollectionExtensions
{
    private const string InFlightPartition = "posts in flight";

    public static IServiceCollection AddPostRateLimit(this IServiceCollection services)
    {
        services.AddOptions<PostRateLimitSettings>()
            .BindConfiguration(PostRateLimitSettings.SectionName)
            .Validate(settings => settings.PermitLimit >= 1, $"{PostRateLimitSettings.SectionName}:PermitLimit must be at least 1.")
            .Validate(settings => settings.Window > TimeSpan.Zero, $"{PostRateLimitSettings.SectionName}:Window must be positive.")
            .Validate(settings => settings.MaxInFlight >= 1, $"{PostRateLimitSettings.SectionName}:MaxInFlight must be at least 1.")
            .Validate(settings => settings.MaxQueued >= 0, $"{PostRateLimitSettings.SectionName}:MaxQueued must not be negative.")
            .ValidateOnStart();
        return services.AddRateLimiter(options =>
        {
            options.AddPolicy<string, PostRateLimit>(PostRateLimit.PolicyName);

            // The global limiter runs before the endpoint's policy; it limits only the endpoints that take the posts policy.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == PostRateLimit.PolicyName
                    ? RateLimitPartition.GetConcurrencyLimiter(InFlightPartition, _ => InFlight(context.RequestServices.GetRequiredService<IOptions<PostRateLimitSettings>>().Value))
                    : RateLimitPartition.GetNoLimiter(string.Empty));

            // Only the global limiter's refusals come here: every policy answers its own.
            options.OnRejected = async (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status503ServiceUnavailable, ApiErrorCodes.ServiceUnavailable, "Too many messages are waiting to be sent here; retry in a moment.");
            };
        });
    }

    private static ConcurrencyLimiterOptions InFlight(PostRateLimitSettings settings) => new()
    {
        PermitLimit = settings.MaxInFlight,
        QueueLimit = settings.MaxQueued,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    };
}
