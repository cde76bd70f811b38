using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Cruddur.Web.Authentication;

/// <summary>
/// Reads a Cognito user pool's signing keys straight from its <c>/.well-known/jwks.json</c>; the JwtBearer
/// configuration manager caches them and fetches again when a token names an unknown key.
/// </summary>
internal sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    private volatile bool keysUnavailable;

    /// <summary>
    /// True while the last fetch of the keys failed: a token whose key is unknown then cannot be checked at all (an
    /// outage, answered 503), rather than being wrong (401). The JwtBearer handler only reports "no key".
    /// </summary>
    public bool KeysUnavailable => keysUnavailable;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        string document;
        try
        {
            document = await retriever.GetDocumentAsync(address, cancel);
        }
        catch (IOException)
        {
            // HttpDocumentRetriever's failure: the pool's keys are out of reach.
            keysUnavailable = true;
            throw;
        }

        keysUnavailable = false;

        var configuration = new OpenIdConnectConfiguration { JwksUri = address };
        foreach (var key in new JsonWebKeySet(document).GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        return configuration;
    }
}

