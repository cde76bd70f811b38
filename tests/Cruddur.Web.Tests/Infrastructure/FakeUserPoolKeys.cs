using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cruddur.Web.Tests.Infrastructure;

/// <summary>
/// A Cognito user pool as far as the app can see one: its JWKS served on 127.0.0.1 by a small Kestrel app
/// under <c>{base}/{poolId}/.well-known/jwks.json</c>, and access or id tokens signed with its RSA key.
/// </summary>
public sealed class FakeUserPoolKeys : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string PoolId = "us-east-1_TestPool1";
    public const string ClientId = "3n4b5urk1ft4fl3mg5e62d9ado";

    private readonly RsaSecurityKey key;
    private readonly WebApplication server;

    private FakeUserPoolKeys(WebApplication server, RsaSecurityKey key)
    {
        this.server = server;
        this.key = key;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public string Issuer => $"{BaseUrl.ToString().TrimEnd('/')}/{PoolId}";

    public static async Task<FakeUserPoolKeys> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "test-key-1" };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = key.KeyId });
        var jwks = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["keys"] = new[] { new Dictionary<string, string> { ["kty"] = "RSA", ["alg"] = "RS256", ["use"] = "sig", ["kid"] = jwk.Kid, ["n"] = jwk.N, ["e"] = jwk.E } },
        });
        app.MapGet($"/{PoolId}/.well-known/jwks.json", () => Results.Text(jwks, "application/json"));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var pool = new FakeUserPoolKeys(app, key);
        pool.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return pool;
    }

    /// <summary>The settings that point the app at this pool.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Authentication:Cognito:Region"] = Region,
        ["Authentication:Cognito:UserPoolId"] = PoolId,
        ["Authentication:Cognito:ClientId"] = ClientId,
        ["Authentication:Cognito:IssuerBaseUrl"] = BaseUrl.ToString(),
    };

    /// <summary>A token shaped like Cognito's; each argument bends one thing the app must check.</summary>
    public string CreateToken(
        string subject,
        string tokenUse = "access",
        string? issuer = null,
        string clientId = ClientId,
        TimeSpan? expiresIn = null,
        SecurityKey? signingKey = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromHours(1));
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["token_use"] = tokenUse,
            ["username"] = subject,
            ["auth_time"] = new DateTimeOffset(now).ToUnixTimeSeconds(),
        };
        if (tokenUse == "access")
        {
            claims["client_id"] = clientId;
            claims["scope"] = "aws.cognito.signin.user.admin";
        }
        else
        {
            claims["aud"] = clientId;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            IssuedAt = expires < now ? expires.AddHours(-1) : now,
            NotBefore = expires < now ? expires.AddHours(-1) : now,
            Expires = expires,
            Claims = claims,
            SigningCredentials = new SigningCredentials(signingKey ?? key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>A key the pool does not publish, under the published key id (a forged signature).</summary>
    public static RsaSecurityKey ForeignKey() => new(RSA.Create(2048)) { KeyId = "test-key-1" };

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        key.Rsa.Dispose();
    }
}
