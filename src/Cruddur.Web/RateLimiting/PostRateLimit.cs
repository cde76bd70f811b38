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
}

/// <summary>
/// A per-user sliding window on sending, answered with a 429 problem and Retry-After; shared by all instances through
/// Redis when <c>ConnectionStrings:Redis</c> is set (<see cref="SharedPostLimiter"/>), per instance otherwise.
/// </summary>
internal static class PostRateLimit
{
    public const string PolicyName = "posts";

    private const int Segments = 6;

    public static IServiceCollection AddPostRateLimit(this IServiceCollection services)
    {
        services.AddOptions<PostRateLimitSettings>()
            .BindConfiguration(PostRateLimitSettings.SectionName)
            .Validate(settings => settings.PermitLimit >= 1, $"{PostRateLimitSettings.SectionName}:PermitLimit must be at least 1.")
            .Validate(settings => settings.Window > TimeSpan.Zero, $"{PostRateLimitSettings.SectionName}:Window must be positive.")
            .ValidateOnStart();
        return services.AddRateLimiter(options =>
        {
            options.AddPolicy(PolicyName, context =>
            {
                var user = context.Features.Get<CurrentUser>()?.User.Uuid.ToString("D") ?? "anonymous";
                var settings = context.RequestServices.GetRequiredService<IOptions<PostRateLimitSettings>>().Value;
                return context.RequestServices.GetService<RedisConnection>() is { } redis
                    ? RateLimitPartition.Get(user, key => new SharedPostLimiter(redis, key, settings, new SlidingWindowRateLimiter(Limiter(settings))))
                    : RateLimitPartition.GetSlidingWindowLimiter(user, _ => Limiter(settings));
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                // A sliding window frees permits segment by segment: one segment is the longest wait.
                var settings = context.HttpContext.RequestServices.GetRequiredService<IOptions<PostRateLimitSettings>>().Value;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var known) ? known : settings.Window / Segments;
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

                await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, ApiErrorCodes.RateLimited, "Too many messages in a short time; slow down.");
            };
        });
    }

    private static SlidingWindowRateLimiterOptions Limiter(PostRateLimitSettings settings) => new()
    {
        PermitLimit = settings.PermitLimit,
        Window = settings.Window,
        SegmentsPerWindow = Segments,
        QueueLimit = 0,
    };
}
