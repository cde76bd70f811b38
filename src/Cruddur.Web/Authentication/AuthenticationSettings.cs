using Microsoft.Extensions.Options;

namespace Cruddur.Web.Authentication;

/// <summary>Amazon Cognito: the user pool whose access tokens the app accepts (section <c>Authentication:Cognito</c>).</summary>
internal sealed class CognitoSettings
{
    public const string SectionName = "Authentication:Cognito";

    public string? Region { get; set; }

    public string? UserPoolId { get; set; }

    /// <summary>The app client whose tokens are accepted (Cognito access tokens carry it as <c>client_id</c>, and have no audience).</summary>
    public string? ClientId { get; set; }

    /// <summary>Where the user pools live; <c>https://cognito-idp.{Region}.amazonaws.com</c> unless set (tests serve their own).</summary>
    public Uri? IssuerBaseUrl { get; set; }

    /// <summary>
    /// Cognito's API endpoint (GetUser at first sign-in); <c>https://cognito-idp.{Region}.amazonaws.com</c> unless set,
    /// e.g. to cognito-local.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Where the API calls go.</summary>
    public Uri ServiceEndpoint => ServiceUrl ?? IssuerBaseUrl ?? new Uri($"https://cognito-idp.{Region}.amazonaws.com/");

    /// <summary>
    /// The hosted sign-in's domain for the web UI (<c>my-app.auth.us-east-1.amazoncognito.com</c> or a custom domain);
    /// without it the API still accepts tokens, but the UI cannot sign anyone in.
    /// </summary>
    public string? Domain { get; set; }

    /// <summary>Where the hosted sign-in sends the browser back (one of the app client's callback URLs); the UI's own address when unset.</summary>
    public Uri? RedirectUri { get; set; }

    /// <summary>
    /// The OAuth scopes the UI asks for, space-separated. <c>aws.cognito.signin.user.admin</c> lets the first sign-in
    /// read the user's preferred_username and name with GetUser (the app client must allow it).
    /// </summary>
    public string Scopes { get; set; } = "openid aws.cognito.signin.user.admin";

    /// <summary>Whether the hosted sign-in has Cognito's <c>/logout</c> (cognito-local has not); the UI's sign-out goes there.</summary>
    public bool LogoutEndpoint { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(UserPoolId) || !string.IsNullOrWhiteSpace(ClientId) || !string.IsNullOrWhiteSpace(Region);

    /// <summary>The pool's issuer, which its tokens name in <c>iss</c> and under which it serves its keys.</summary>
    public string Issuer => $"{(IssuerBaseUrl?.ToString() ?? $"https://cognito-idp.{Region}.amazonaws.com").TrimEnd('/')}/{UserPoolId}";

    public Uri JwksUri => new($"{Issuer}/.well-known/jwks.json");

    /// <summary>The names of the missing keys, for a start-up error.</summary>
    public IEnumerable<string> MissingKeys()
    {
        if (string.IsNullOrWhiteSpace(Region) && IssuerBaseUrl is null)
        {
            yield return $"{SectionName}:Region";
        }

        if (string.IsNullOrWhiteSpace(UserPoolId))
        {
            yield return $"{SectionName}:UserPoolId";
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return $"{SectionName}:ClientId";
        }
    }
}

/// <summary>The local tokens of Development (section <c>Authentication:Development</c>).</summary>
internal sealed class DevTokenSettings
{
    public const string SectionName = "Authentication:Development";

    public const string Issuer = "cruddur-development";

    /// <summary>Base64 of at least 32 bytes; a fresh random key per process when unset (tokens then end with the process).</summary>
    public string? SigningKey { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The key's bytes, or null unless <paramref name="signingKey"/> is base64 of at least 32 bytes.</summary>
    public static byte[]? TryReadKey(string signingKey)
    {
        var bytes = new byte[signingKey.Length];
        return Convert.TryFromBase64String(signingKey, bytes, out var written) && written >= 32 ? bytes[..written] : null;
    }
}

/// <summary>
/// Cognito's settings are complete or absent; absent only in Development, where the local sign-in stands in.
/// Checked at start, so a missing key stops the app with its name.
/// </summary>
internal sealed class CognitoSettingsValidation(IHostEnvironment environment) : IValidateOptions<CognitoSettings>
{
    public ValidateOptionsResult Validate(string? name, CognitoSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.IsConfigured)
        {
            return options.MissingKeys().ToList() is { Count: > 0 } missing
                ? ValidateOptionsResult.Fail($"Cognito sign-in is half configured: set {string.Join(", ", missing)}.")
                : ValidateOptionsResult.Success;
        }

        return environment.IsDevelopment()
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"No sign-in is configured: set {CognitoSettings.SectionName}:Region, {CognitoSettings.SectionName}:UserPoolId and {CognitoSettings.SectionName}:ClientId (the local sign-in exists only in Development).");
    }
}
