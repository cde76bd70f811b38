using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Cruddur.Web.Hardening;

/// <summary>The origins whose pages may call the API from a browser (section <c>Cors</c>); none by default.</summary>
internal sealed class CorsSettings
{
    public const string SectionName = "Cors";

    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>
/// Headers every answer carries or leaves out: no <c>Server</c> header (it names the server software),
/// <c>X-Content-Type-Options: nosniff</c> (a browser never reads a JSON or problem answer as HTML or script),
/// <c>Cache-Control: no-store</c> on every <c>/api</c> answer (they carry user data or tokens: no shared or browser cache
/// keeps them), HSTS outside Development, and CORS for the origins in <c>Cors:AllowedOrigins</c> only, none by default.
/// Page headers such as the CSP belong to the UI. Development also refuses to run beyond this machine (<see cref="DevelopmentGuard"/>).
/// </summary>
internal static class ResponseHardening
{
    public static WebApplicationBuilder AddResponseHardening(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddOptions<CorsSettings>().BindConfiguration(CorsSettings.SectionName).ValidateOnStart();
        builder.Services.AddCors();
        builder.Services.AddOptions<DevelopmentGuardSettings>().BindConfiguration(DevelopmentGuardSettings.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DevelopmentGuardSettings>, DevelopmentGuard>();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<CorsSettings>>((cors, settings) =>
        {
            var origins = settings.Value.AllowedOrigins
                .Where(origin => !string.IsNullOrWhiteSpace(origin))
                .Select(origin => origin.Trim().TrimEnd('/'))
                .ToArray();
            // Bearer tokens, not cookies: no credentials mode, so an allowed origin still cannot ride on a user's session.
            cors.AddDefaultPolicy(policy => policy
                .WithOrigins(origins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders("Authorization", "Content-Type", "Idempotency-Key")
                .WithExposedHeaders("Link", "Retry-After")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10)));
        });
        return builder;
    }

    /// <summary>First in the pipeline, so that every answer, errors included, gets the headers.</summary>
    public static WebApplication UseResponseHardening(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(
                static state =>
                {
                    var response = (HttpResponse)state;
                    var headers = response.Headers;
                    headers.XContentTypeOptions = "nosniff";
                    headers.Remove("Server");
                    if (response.HttpContext.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
                    {
                        headers.CacheControl = "no-store";
                    }

                    return Task.CompletedTask;
                },
                context.Response);
            return next(context);
        });
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseCors();
        return app;
    }
}
