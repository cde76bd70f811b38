using System.Globalization;
using System.Threading.RateLimiting;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Cruddur.Web.RateLimiting;

/// <summary>How many requests one client address may make per window to the anonymous routes that cost store calls (section <c>RateLimiting:Public</c>).</summary>
internal sealed class PublicRateLimitSettings
{
    public const string SectionName = "RateLimiting:Public";

    public int PermitLimit { get; set; } = 120;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// A per-client-address sliding window on anonymous routes where each request costs a store call (a user look-up by
/// handle, the development sign-in): a flood from one address gets 429 problems instead of PostgreSQL queries.
/// </summary>
internal sealed class PublicRateLimit(IOptions<PublicRateLimitSettings> settings) : IRateLimiterPolicy<string>
{
    public const string PolicyName = "public";

    private const int Segments = 6;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => static async (context, _) =>
    {
        var window = context.HttpContext.RequestServices.GetRequiredService<IOptions<PublicRateLimitSettings>>().Value.Window;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var known) ? known : window / Segments;
        context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, ApiErrorCodes.RateLimited, "Too many requests from this address in a short time; slow down.");
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) => RateLimitPartition.GetSlidingWindowLimiter(
        httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown",
        _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = settings.Value.PermitLimit,
            Window = settings.Value.Window,
            SegmentsPerWindow = Segments,
            QueueLimit = 0,
        });
}

internal static class PublicRateLimitServiceCollectionExtensions
{
    public static IServiceCollection AddPublicRateLimit(this IServiceCollection services)
    {
        services.AddOptions<PublicRateLimitSettings>()
            .BindConfiguration(PublicRateLimitSettings.SectionName)
            .Validate(settings => settings.PermitLimit >= 1, $"{PublicRateLimitSettings.SectionName}:PermitLimit must be at least 1.")
            .Validate(settings => settings.Window > TimeSpan.Zero, $"{PublicRateLimitSettings.SectionName}:Window must be positive.")
            .ValidateOnStart();
        return services.AddRateLimiter(options => options.AddPolicy<string, PublicRateLimit>(PublicRateLimit.PolicyName));
    }
}
