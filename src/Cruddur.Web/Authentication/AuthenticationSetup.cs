using System.Security.Cryptography;
using Cruddur.Web.DevSignIn;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
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
        var cognito = builder.Configuration.GetSection(CognitoSettings.SectionName).Get<CognitoSettings>() ?? new CognitoSettings();
        TokenKind kind;
        if (cognito.IsConfigured)
        {
            if (cognito.MissingKeys().ToList() is { Count: > 0 } missing)
            {
                throw new InvalidOperationException($"Cognito sign-in is half configured: set {string.Join(", ", missing)}.");
            }

            kind = TokenKind.Cognito;
        }
        else if (builder.Environment.IsDevelopment())
        {
            kind = TokenKind.Development;
        }
        else
        {
            throw new InvalidOperationException(
                $"No sign-in is configured: set {CognitoSettings.SectionName}:Region, :UserPoolId and :ClientId (local sign-in exists only in Development).");
        }

        builder.Services.AddSingleton(new AcceptedTokens(kind));
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<CurrentUserResolver>();
        if (kind == TokenKind.Development)
        {
            var settings = builder.Configuration.GetSection(DevTokenSettings.SectionName).Get<DevTokenSettings>() ?? new DevTokenSettings();
            var key = new SymmetricSecurityKey(settings.SigningKey is { Length: > 0 } configured ? Convert.FromBase64String(configured) : RandomNumberGenerator.GetBytes(32));
            builder.Services.AddSingleton(new DevTokens(key, settings.TokenLifetime, TimeProvider.System));
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options => Configure(options, DevTokenParameters(key)));
        }
        else
        {
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
            {
                Configure(options, new TokenValidationParameters
                {
                    ValidIssuer = cognito.Issuer,
                    ValidateAudience = false, // Cognito access tokens have no aud; client_id is checked instead.
                    ClockSkew = TimeSpan.FromMinutes(1),
                });
                options.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                    cognito.JwksUri.ToString(),
                    new JwksRetriever(),
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
            });
        }

        builder.Services.AddAuthorization();
        return builder;
    }

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
        var (code, detail) = context.AuthenticateFailure switch
        {
            null => (ApiErrorCodes.AuthenticationRequired, "Send a bearer token in the Authorization header."),
            TokenRejectedException rejected => (rejected.Code, rejected.Message),
            SecurityTokenExpiredException => (ApiErrorCodes.TokenExpired, "The token has expired; sign in again."),
            _ => (ApiErrorCodes.TokenInvalid, "The token is not valid here."),
        };
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, code, detail);
    }
}

/// <summary>A token that validated but that the app refuses; <see cref="Code"/> is the problem's error code.</summary>
internal sealed class TokenRejectedException(string code, string message) : AuthenticationFailureException(message)
{
    public string Code { get; } = code;
}
