using Cruddur.Web.DevSignIn;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Cruddur.Web.Authentication;

/// <summary>
/// Bearer tokens: Cognito access tokens when <c>Authentication:Cognito</c> is configured; otherwise, in Development
/// only, tokens of the local sign-in. Every refusal is a 401 problem with a stable code.
/// </summary>
internal static class AuthenticationSetup
{
    public static WebApplicationBuilder AddCruddurAuthentication(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CognitoSettings>().BindConfiguration(CognitoSettings.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CognitoSettings>, CognitoSettingsValidation>();
        services.AddOptions<DevTokenSettings>()
            .BindConfiguration(DevTokenSettings.SectionName)
            .Validate(settings => settings.SigningKey is not { Length: > 0 } || DevTokenSettings.TryReadKey(settings.SigningKey) is not null, $"{DevTokenSettings.SectionName}:SigningKey must be base64 of at least 32 bytes.")
            .Validate(settings => settings.TokenLifetime > TimeSpan.Zero, $"{DevTokenSettings.SectionName}:TokenLifetime must be positive.")
            .ValidateOnStart();

        // Cognito's tokens when its pool is configured; otherwise (Development only, see CognitoSettingsValidation) local ones.
        services.AddSingleton(provider => new AcceptedTokens(
            provider.GetRequiredService<IOptions<CognitoSettings>>().Value.IsConfigured ? TokenKind.Cognito : TokenKind.Development));
        services.AddSingleton(provider => DevTokens.Create(provider.GetRequiredService<IOptions<DevTokenSettings>>().Value, TimeProvider.System));
        services.AddMemoryCache();
        services.AddSingleton<CurrentUserResolver>();
        services.AddFirstSignIn();
        services.AddSingleton<JwksRetriever>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AcceptedTokens, IOptions<CognitoSettings>, IServiceProvider>((options, accepted, cognito, provider) =>
            {
                if (accepted.Kind == TokenKind.Development)
                {
                    Configure(options, DevTokenParameters(provider.GetRequiredService<DevTokens>().Key));
                }
                else
                {
                    ConfigureCognito(options, cognito.Value, provider.GetRequiredService<JwksRetriever>());

                    // exp and nbf against the app's clock (TimeProvider), so a test can move it past cognito-local's 24 h tokens.
                    options.TokenValidationParameters.LifetimeValidator = LifetimeOn(provider.GetService<TimeProvider>() ?? TimeProvider.System);
                }
            });
        services.AddAuthorization();
        return builder;
    }

    private static void ConfigureCognito(JwtBearerOptions options, CognitoSettings cognito, JwksRetriever jwks)
    {
        Configure(options, new TokenValidationParameters
        {
            ValidIssuer = cognito.Issuer,
            ValidateAudience = false, // Cognito access tokens have no aud; client_id is checked instead.
            ClockSkew = TimeSpan.FromMinutes(1),
        });
        options.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
            cognito.JwksUri.ToString(),
            jwks,
            new HttpDocumentRetriever { RequireHttps = cognito.JwksUri.Scheme == Uri.UriSchemeHttps });
        var events = options.Events;
        var resolveUser = events.OnTokenValidated;
        events.OnTokenValidated = async context =>
        {
            var token = (JsonWebToken)context.SecurityToken;
            if (!token.TryGetPayloadValue<string>("token_use", out var tokenUse) || tokenUse != "access")
            {
                context.Fail(new TokenRejectedException(ApiErrorCodes.TokenNotAccess, "Send a Cognito access token, not an id token."));
                return;
            }

            if (!token.TryGetPayloadValue<string>("client_id", out var clientId) || clientId != cognito.ClientId)
            {
                context.Fail(new TokenRejectedException(ApiErrorCodes.TokenInvalid, "The token was issued to another app client."));
                return;
            }

            await resolveUser(context);
        };
    }

    /// <summary>The library's lifetime rule (exp required, both ends with the clock skew) on the given clock.</summary>
    private static LifetimeValidator LifetimeOn(TimeProvider time) => (notBefore, expires, _, parameters) =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no exp.");
        }

        if (notBefore is { } start && start > now + parameters.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = start };
        }

        return expires.Value >= now - parameters.ClockSkew
            ? true
            : throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
    };

    internal static TokenValidationParameters DevTokenParameters(SecurityKey key) => new()
    {
        ValidIssuer = DevTokenSettings.Issuer,
        ValidAudience = DevTokenSettings.Issuer,
        IssuerSigningKey = key,
        ClockSkew = TimeSpan.FromMinutes(1),
    };

    private static void Configure(JwtBearerOptions options, TokenValidationParameters parameters)
    {
        parameters.ValidateIssuer = true;
        parameters.ValidateLifetime = true;
        parameters.RequireExpirationTime = true;
        parameters.ValidateIssuerSigningKey = true;
        options.TokenValidationParameters = parameters;
        options.MapInboundClaims = false;
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = ResolveUserAsync,
            OnChallenge = WriteChallengeAsync,
        };
    }

    /// <summary>A valid token must name a known user; the user is cached briefly (see <see cref="CurrentUserResolver"/>).</summary>
    private static async Task ResolveUserAsync(TokenValidatedContext context)
    {
        var subject = (context.SecurityToken as JsonWebToken)?.Subject;
        var resolver = context.HttpContext.RequestServices.GetRequiredService<CurrentUserResolver>();
        var user = string.IsNullOrEmpty(subject) ? null : await resolver.FindAsync(subject, context.HttpContext.RequestAborted);
        if (user is null && subject is { Length: > 0 } && context.SecurityToken is JsonWebToken { EncodedToken: var accessToken }
            && context.HttpContext.RequestServices.GetRequiredService<AcceptedTokens>().Kind == TokenKind.Cognito)
        {
            try
            {
                var created = await context.HttpContext.RequestServices.GetRequiredService<FirstSignIn>().CreateUserAsync(subject, accessToken, context.HttpContext.RequestAborted);
                user = await resolver.FindAsync(subject, context.HttpContext.RequestAborted) ?? new CurrentUser(created);
            }
            catch (TokenRejectedException rejected)
            {
                context.Fail(rejected);
                return;
            }
        }

        if (user is null)
        {
            context.Fail(new TokenRejectedException(ApiErrorCodes.UserUnknown, "The token is valid but names no Cruddur user; sign up first."));
            return;
        }

        context.HttpContext.Features.Set(user);
    }

    private static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        if (context.AuthenticateFailure is SecurityTokenSignatureKeyNotFoundException && context.HttpContext.RequestServices.GetService<JwksRetriever>() is { KeysUnavailable: true })
        {
            // Nobody's token can be checked right now: say so, so that clients keep their session and retry.
            context.Response.Headers.RetryAfter = "5";
            await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status503ServiceUnavailable, ApiErrorCodes.ServiceUnavailable, "Sign-in keys cannot be fetched right now; try again shortly.");
            return;
        }

        var (code, detail) = context.AuthenticateFailure switch
        {
            null => (ApiErrorCodes.AuthenticationRequired, "Send a bearer token in the Authorization header."),
            TokenRejectedException rejected => (rejected.Code, rejected.Message),
            SecurityTokenExpiredException => (ApiErrorCodes.TokenExpired, "The token has expired; sign in again."),
            _ => (ApiErrorCodes.TokenInvalid, "The token is not valid here."),
        };
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        var status = context.AuthenticateFailure is TokenRejectedException { Status: var rejectedStatus } ? rejectedStatus : StatusCodes.Status401Unauthorized;
        await ApiProblems.WriteAsync(context.HttpContext, status, code, detail);
    }
}

/// <summary>A token that validated but that the app refuses; <see cref="Code"/> is the problem's error code, <see cref="Status"/> its status (401 unless said).</summary>
internal sealed class TokenRejectedException(string code, string message, int status = StatusCodes.Status401Unauthorized, Exception? innerException = null)
    : AuthenticationFailureException(message, innerException)
{
    public string Code { get; } = code;

    public int Status { get; } = status;
}
