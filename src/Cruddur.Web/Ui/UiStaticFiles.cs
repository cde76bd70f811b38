using Cruddur.Web.Authentication;
using Microsoft.Extensions.Options;

namespace Cruddur.Web.Ui;

/// <summary>
/// The web UI's files from <c>wwwroot</c> at <c>/</c> (<c>index.html</c> by default), with headers that keep a
/// message's text from ever running as script: a Content-Security-Policy without inline script, and no sniffing.
/// </summary>
internal static class UiStaticFiles
{
    public static WebApplication UseCruddurUi(this WebApplication app)
    {
        // Built on the first file served: the settings are validated when the app starts, after this runs.
        string? policy = null;
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                policy ??= ContentSecurityPolicy(UiApi.CognitoDomain(context.Context.RequestServices.GetRequiredService<IOptions<CognitoSettings>>().Value));
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";

                // Revalidate (ETag) on every load, so a deploy's new app.js is never mixed with an old index.html.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }

    /// <summary>Only this origin's files; fetches to this origin and, for the PKCE token exchange, the Cognito domain.</summary>
    internal static string ContentSecurityPolicy(string? cognitoDomain) =>
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + $"connect-src 'self'{(cognitoDomain is null ? "" : cognitoDomain.Contains("://", StringComparison.Ordinal) ? $" {cognitoDomain}" : $" https://{cognitoDomain}")}; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}
