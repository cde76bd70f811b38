using Amazon.CDK;
using Amazon.CDK.AWS.Cognito;
using Constructs;

namespace Cruddur.Deploy;

/// <summary>
/// The Cognito user pool (e-mail sign-in, <c>preferred_username</c> = the Cruddur handle), the web UI's public client
/// (authorization code + PKCE, no secret) and the hosted sign-in domain.
/// </summary>
internal sealed class SignIn
{
    public const string Scopes = "openid email profile";

    private SignIn(UserPool pool, UserPoolClient client, string hostedDomain)
    {
        Pool = pool;
        Client = client;
        HostedDomain = hostedDomain;
    }

    public UserPool Pool { get; }

    public UserPoolClient Client { get; }

    /// <summary>The hosted sign-in's host name (no scheme), as the app's <c>Authentication:Cognito:Domain</c> wants it.</summary>
    public string HostedDomain { get; }

    public static SignIn Add(Construct scope, StackParameters parameters)
    {
        var pool = new UserPool(scope, "UserPool", new UserPoolProps
        {
            // Off: a user needs a row in PostgreSQL's users table before the app accepts them, which only an operator
            // creates (docs/deploy.md), so the operator creates the pool user too.
            SelfSignUpEnabled = false,
            SignInAliases = new SignInAliases { Email = true },
            AutoVerify = new AutoVerifiedAttrs { Email = true },
            StandardAttributes = new StandardAttributes
            {
                Email = new StandardAttribute { Required = true, Mutable = true },
                PreferredUsername = new StandardAttribute { Required = true, Mutable = true },
                Fullname = new StandardAttribute { Required = true, Mutable = true },
            },
            AccountRecovery = AccountRecovery.EMAIL_ONLY,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        var client = pool.AddClient("WebClient", new UserPoolClientOptions
        {
            UserPoolClientName = "cruddur-web",
            // A browser app: a public client with no secret; the UI sends a PKCE challenge with the code request.
            GenerateSecret = false,
            PreventUserExistenceErrors = true,
            SupportedIdentityProviders = [UserPoolClientIdentityProvider.COGNITO],
            OAuth = new OAuthSettings
            {
                Flows = new OAuthFlows { AuthorizationCodeGrant = true, ImplicitCodeGrant = false },
                Scopes = [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
                CallbackUrls = [parameters.SiteUrl],
                LogoutUrls = [parameters.SiteUrl],
            },
        });
        _ = pool.AddDomain("HostedDomain", new UserPoolDomainOptions
        {
            CognitoDomain = new CognitoDomainOptions { DomainPrefix = parameters.CognitoDomainPrefix.ValueAsString },
        });
        var hostedDomain = Fn.Join(string.Empty, [parameters.CognitoDomainPrefix.ValueAsString, ".auth.", Aws.REGION, ".amazoncognito.com"]);
        return new SignIn(pool, client, hostedDomain);
    }
}
