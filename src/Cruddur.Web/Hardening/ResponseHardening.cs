namespace Cruddur.Web.Hardening;

/// <summary>
/// Headers every answer carries or leaves out: no <c>Server</c> header (it names the server software),
/// <c>X-Content-Type-Options: nosniff</c> (a browser never reads a JSON or problem answer as HTML or script), and CORS
/// for the origins in <c>Cors:AllowedOrigins</c> only, none by default. Page headers such as the CSP belong to the UI.
/// </summary>
internal static class ResponseHardening
{
    public const string AllowedOriginsKey = "Cors:AllowedOrigins";

    public static WebApplicationBuilder AddResponseHardening(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var origins = (builder.Configuration.GetSection(AllowedOriginsKey).Get<string[]>() ?? [])
            .Where(origin => !string.IsNullOrWhiteSpace(origin))
            .Select(origin => origin.Trim().TrimEnd('/'))
            .ToArray();
        // Bearer tokens, not cookies: no credentials mode, so a allowed origin still cannot ride on a user's session.
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders("Authorization", "Content-Type", "Idempotency-Key")
            .WithExposedHeaders("Link", "Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
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
                    var headers = ((HttpResponse)state).Headers;
                    headers.XContentTypeOptions = "nosniff";
                    headers.Remove("Server");
                    return Task.CompletedTask;
                },
                context.Response);
            return next(context);
        });
        app.UseCors();
        return app;
    }
}
