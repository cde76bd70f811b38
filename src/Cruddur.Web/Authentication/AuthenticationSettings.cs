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
}
