using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cruddur.Messaging.Cognito;

namespace Cruddur.Local.Launcher;

/// <summary>
/// cognito-local (the pinned npm package in <c>tools/cognito-local</c>), a local Cognito user-pool emulator, in a node
/// process on a free loopback port with its own throwaway data folder.
/// </summary>
public sealed class CognitoLocal : IAsyncDisposable
{
    private readonly Process node;
    private readonly OrphanGuard guard;
    private readonly string dataDirectory;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private int disposed;

    private CognitoLocal(Process node, OrphanGuard guard, int port, string dataDirectory)
    {
        this.node = node;
        this.guard = guard;
        this.dataDirectory = dataDirectory;
        var portText = port.ToString(CultureInfo.InvariantCulture);
        ServiceUrl = new Uri($"http://127.0.0.1:{portText}/");

        // cognito-local names the issuer after the Host its token request came to (real Cognito's is fixed): every
        // caller, the browser's hosted sign-in included, uses this one address, so iss is always the same.
        IssuerBaseUrl = new Uri($"http://127.0.0.1:{portText}");
        Client = new CognitoIdentityClient(http, ServiceUrl);
    }

    /// <summary>The API endpoint (JSON protocol), also the JWKS and <c>/oauth2/*</c> host.</summary>
    public Uri ServiceUrl { get; }

    /// <summary>The base of the pools' issuers (<c>Authentication:Cognito:IssuerBaseUrl</c>).</summary>
    public Uri IssuerBaseUrl { get; }

    /// <summary>A client of this emulator; it checks no signature, so requests go unsigned.</summary>
    public CognitoIdentityClient Client { get; }

    /// <summary>The node process id, for tests that check it is gone.</summary>
    public int ProcessId => node.Id;

    /// <summary>Starts cognito-local and waits until <c>/health</c> answers.</summary>
    public static async Task<CognitoLocal> StartAsync(LocalServicesOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nodePath = ChildProcess.FindOnPath("node")
            ?? throw new LocalServiceException("node was not found on PATH. cognito-local needs Node.js 18 or later: apt-get install nodejs npm");
        var startScript = await FindOrInstallAsync(cancellationToken);
        var dataDirectory = Directory.CreateTempSubdirectory("cruddur-cognito-").FullName;

        // Usernames need not be e-mail addresses (cognito-local's default wants them to be).
        Directory.CreateDirectory(Path.Combine(dataDirectory, ".cognito"));
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, ".cognito", "config.json"), """{"UserPoolDefaults":{"UsernameAttributes":[]}}""", cancellationToken);
        var port = FreePort.Next();
        var info = ChildProcess.StartInfo(nodePath, [startScript], dataDirectory);
        info.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        info.Environment["HOST"] = "127.0.0.1";
        var process = Process.Start(info)!;
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var local = new CognitoLocal(process, OrphanGuard.Watch($"kill -9 {process.Id}; rm -rf '{dataDirectory}'"), port, dataDirectory);
        try
        {
            await local.WaitUntilHealthyAsync(options.StartTimeout, cancellationToken);
            return local;
        }
        catch (Exception exception) when (exception is LocalServiceException or OperationCanceledException)
        {
            await local.DisposeAsync();
            if (exception is OperationCanceledException)
            {
                throw;
            }

            throw new LocalServiceException($"{exception.Message}{Environment.NewLine}cognito-local output:{Environment.NewLine}{log}", exception);
        }
    }

    /// <summary>
    /// A user pool with an app client for the web UI's hosted sign-in (code + PKCE back to <paramref name="callbackUrls"/>)
    /// and password sign-in.
    /// </summary>
    public async Task<LocalUserPool> CreateUserPoolAsync(string name, IEnumerable<Uri> callbackUrls, CancellationToken cancellationToken)
    {
        var pool = await Client.CallAsync("CreateUserPool", new JsonObject { ["PoolName"] = name }, cancellationToken);
        var poolId = pool.GetProperty("UserPool").GetProperty("Id").GetString()!;
        var client = await Client.CallAsync(
            "CreateUserPoolClient",
            new JsonObject
            {
                ["UserPoolId"] = poolId,
                ["ClientName"] = name + "-web",
                ["ExplicitAuthFlows"] = new JsonArray("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
                ["AllowedOAuthFlows"] = new JsonArray("code"),
                ["AllowedOAuthScopes"] = new JsonArray("openid", "profile", "aws.cognito.signin.user.admin"),
                ["CallbackURLs"] = new JsonArray([.. callbackUrls.Select(url => (JsonNode)url.ToString())]),
            },
            cancellationToken);
        return new LocalUserPool(this, poolId, client.GetProperty("UserPoolClient").GetProperty("ClientId").GetString()!);
    }

    /// <summary>Stops node and deletes the data folder; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        if (!node.HasExited)
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
        }

        node.Dispose();
        guard.Dispose();
        http.Dispose();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var health = new Uri(ServiceUrl, "health");
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node.HasExited)
            {
                throw new LocalServiceException($"cognito-local exited with code {node.ExitCode} while starting.");
            }

            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (deadline.Elapsed > timeout)
            {
                throw new LocalServiceException($"cognito-local did not answer at {health} within {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<string> FindOrInstallAsync(CancellationToken cancellationToken)
    {
        var toolDirectory = RepoFiles.FindRoot() is { } root
            ? Path.Combine(root, "tools", "cognito-local")
            : throw new LocalServiceException("tools/cognito-local was not found above the app's folder. Run from a checkout of the repository.");
        var startScript = Path.Combine(toolDirectory, "node_modules", "cognito-local", "lib", "bin", "start.js");
        if (!File.Exists(startScript))
        {
            var npm = ChildProcess.FindOnPath("npm")
                ?? throw new LocalServiceException($"cognito-local is not installed in {toolDirectory} and npm was not found on PATH: install Node.js and npm (apt-get install nodejs npm), then build again.");
            await ChildProcess.RunAsync(ChildProcess.StartInfo(npm, ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], toolDirectory), "npm ci in " + toolDirectory, cancellationToken);
        }

        return startScript;
    }
}

/// <summary>A user pool and its web app client on a <see cref="CognitoLocal"/>.</summary>
public sealed record LocalUserPool(CognitoLocal Emulator, string UserPoolId, string ClientId)
{
    /// <summary>Creates a confirmed user with a permanent password; answers the user's <c>sub</c>.</summary>
    public async Task<string> CreateUserAsync(string username, string password, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var created = await Emulator.Client.CallAsync(
            "AdminCreateUser",
            new JsonObject
            {
                [nameof(UserPoolId)] = UserPoolId,
                ["Username"] = username,
                ["MessageAction"] = "SUPPRESS",
                ["UserAttributes"] = new JsonArray([.. attributes.Select(attribute => (JsonNode)new JsonObject { ["Name"] = attribute.Key, ["Value"] = attribute.Value })]),
            },
            cancellationToken);
        await Emulator.Client.CallAsync(
            "AdminSetUserPassword",
            new JsonObject { [nameof(UserPoolId)] = UserPoolId, ["Username"] = username, ["Password"] = password, ["Permanent"] = true },
            cancellationToken);
        return CognitoUser.Read(created.GetProperty("User"), "Attributes").Sub
            ?? throw new LocalServiceException($"cognito-local created {username} without a sub.");
    }

    /// <summary>Signs a user in with their password (USER_PASSWORD_AUTH); answers the access and ID tokens.</summary>
    public async Task<(string AccessToken, string IdToken)> SignInAsync(string username, string password, CancellationToken cancellationToken)
    {
        var result = await Emulator.Client.CallAsync(
            "InitiateAuth",
            new JsonObject
            {
                ["AuthFlow"] = "USER_PASSWORD_AUTH",
                [nameof(ClientId)] = ClientId,
                ["AuthParameters"] = new JsonObject { ["USERNAME"] = username, ["PASSWORD"] = password },
            },
            cancellationToken);
        var tokens = result.GetProperty("AuthenticationResult");
        return (tokens.GetProperty("AccessToken").GetString()!, tokens.GetProperty("IdToken").GetString()!);
    }

    /// <summary>The settings (section <c>Authentication:Cognito</c>) that point the web app at this pool.</summary>
    public IReadOnlyDictionary<string, string?> WebSettings => new Dictionary<string, string?>
    {
        ["Authentication:Cognito:UserPoolId"] = UserPoolId,
        ["Authentication:Cognito:ClientId"] = ClientId,
        ["Authentication:Cognito:Region"] = "us-east-1",
        ["Authentication:Cognito:IssuerBaseUrl"] = Emulator.IssuerBaseUrl.ToString(),
        ["Authentication:Cognito:ServiceUrl"] = Emulator.ServiceUrl.ToString(),
        ["Authentication:Cognito:Domain"] = Emulator.IssuerBaseUrl.ToString().TrimEnd('/'),
        ["Authentication:Cognito:Scopes"] = "openid aws.cognito.signin.user.admin",
        ["Authentication:Cognito:LogoutEndpoint"] = "false",
    };
}
