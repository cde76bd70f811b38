using System.Security.Cryptography;
using Cruddur.Messaging.Users;
using Cruddur.Web.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cruddur.Web.DevSignIn;

/// <summary>Issues the Development tokens: HS256 with the local key, <c>sub</c> = the user's uuid.</summary>
internal sealed class DevTokens(SecurityKey key, TimeSpan lifetime, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler handler = new();
    private readonly SigningCredentials credentials = new(key, SecurityAlgorithms.HmacSha256);

    public TimeSpan Lifetime => lifetime;

    /// <summary>The key that signs and checks the tokens.</summary>
    public SecurityKey Key => key;

    /// <summary>Tokens signed with the configured key, or with a fresh random one per process (tokens then end with it).</summary>
    public static DevTokens Create(DevTokenSettings settings, TimeProvider timeProvider)
    {
        var bytes = settings.SigningKey is { Length: > 0 } configured
            ? DevTokenSettings.TryReadKey(configured) ?? throw new InvalidOperationException($"{DevTokenSettings.SectionName}:SigningKey is not base64 of at least 32 bytes.")
            : RandomNumberGenerator.GetBytes(32);
        return new DevTokens(new SymmetricSecurityKey(bytes), settings.TokenLifetime, timeProvider);
    }

    public string Issue(User user)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = DevTokenSettings.Issuer,
            Audience = DevTokenSettings.Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Uuid.ToString("D"),
                ["username"] = user.Handle,
                ["token_use"] = "access",
            },
        });
    }
}
