using System.Globalization;
using System.Threading.RateLimiting;
using Cruddur.Web.Authentication;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.RateLimiting;

namespace Cruddur.Web.RateLimiting;

/// <summary>How many messages one user may send per window (section <c>RateLimiting:Posts</c>).</summary>
internal sealed class PostRateLimitSettings
{
    public const string SectionName = "RateLimiting:Posts";

    public int PermitLimit { get; set; } = 30;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>A per-user sliding window on sending, answered with a 429 problem and Retry-After.</summary>
internal static class PostRateLimit
{
    public const string PolicyName = "posts";

    private const int Segments = 6;

    public static IServiceCollection AddPostRateLimit(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(PostRateLimitSettings.SectionName).Get<PostRateLimitSettings>() ?? new PostRateLimitSettings();
        return services.AddRateLimiter(options =>
        {
            options.AddPolicy(PolicyName, context => RateLimitPartition.GetSlidingWindowLimiter(
                context.Features.Get<CurrentUser>()?.User.Uuid.ToString("D") ?? "anonymous",
                _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = settings.PermitLimit,
                    Window = settings.Window,
                    SegmentsPerWindow = Segments,
                    QueueLimit = 0,
                }));
            options.OnRejected = async (context, cancellationToken) =>
            {
                // A sliding window frees permits segment by segment: one segment is the longest wait.
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var known) ? known : settings.Window / Segments;
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

                await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, ApiErrorCodes.RateLimited, "Too many messages in a short time; slow down.");
            };
        });
    }
}
