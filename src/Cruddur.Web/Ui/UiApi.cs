using Cruddur.Web.Authentication;
using Cruddur.Web.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Cruddur.Web.Ui;

/// <summary>
/// What the web UI asks the server: how to sign in (<c>GET /api/ui-config</c>, public) and who the token belongs to
/// (<c>GET /api/me</c>, after a Cognito sign-in, whose tokens do not carry the handle).
/// </summary>
internal static class UiApi
{
    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder app)
    {
        var ui = app.MapGroup("/api").WithTags("Web UI");
        ui.MapGet("/ui-config", (AcceptedTokens accepted, IOptions<CognitoSettings> cognito) => TypedResults.Ok(UiConfig(accepted, cognito.Value)))
            .AllowAnonymous()
            .WithName("GetUiConfig")
            .WithSummary("How the web UI signs in: the development sign-in, or Cognito's hosted sign-in (PKCE) with its settings.");
        ui.MapGet("/me", Ok<UserShortJson> (HttpContext context) =>
            {
                var user = context.GetCurrentUser().User;
                return TypedResults.Ok(new UserShortJson(user.Uuid, user.Handle, user.DisplayName));
            })
            .RequireAuthorization()
            .WithName("GetMe")
            .WithSummary("The signed-in user's uuid, handle and display name.");
        return app;
    }

    /// <summary>The Cognito hosted sign-in's host name, without scheme or slashes, or null when not configured.</summary>
    public static string? CognitoDomain(CognitoSettings cognito) =>
        cognito.Domain is { Length: > 0 } domain
            ? domain.Replace("https://", "", StringComparison.OrdinalIgnoreCase).Trim('/')
            : null;

    private static UiConfigJson UiConfig(AcceptedTokens accepted, CognitoSettings cognito)
    {
        if (accepted.Kind == TokenKind.Development)
        {
            return new UiConfigJson("development", null);
        }

        return CognitoDomain(cognito) is { } domain
            ? new UiConfigJson("cognito", new CognitoUiJson(domain, cognito.ClientId!, cognito.RedirectUri?.ToString(), cognito.Scopes, cognito.LogoutEndpoint))
            : new UiConfigJson("unavailable", null); // tokens are accepted, but the UI has no hosted sign-in to send people to
    }
}
