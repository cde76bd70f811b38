using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cruddur.Local.DemoData;
using Cruddur.Local.Launcher;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace Cruddur.Web.LocalRun;

/// <summary>
/// <c>dotnet run</c> with <c>LocalServices:Cognito=true</c> (Development only): a throwaway cognito-local with a pool,
/// a code+PKCE app client and the demo users (random passwords, printed at start), and the app pointed at it.
/// The demo rows are bound to their pool users' <c>sub</c>, as an operator's update-cognito-user-ids would.
/// </summary>
internal sealed class LocalCognitoRun(CognitoLocal emulator, LocalUserPool pool, IReadOnlyList<(string Handle, string Sub, string Password)> users, IServer server, NpgsqlDataSource dataSource)
    : IHostedLifecycleService, IAsyncDisposable
{
    public const string SettingKey = "LocalServices:Cognito";

    /// <summary>Starts cognito-local and its pool when asked for and no pool is configured; adds its settings.</summary>
    public static async Task StartIfAskedAsync(WebApplicationBuilder builder, CancellationToken cancellationToken)
    {
        if (!builder.Configuration.GetValue<bool>(SettingKey) || !string.IsNullOrWhiteSpace(builder.Configuration["Authentication:Cognito:UserPoolId"]))
        {
            return;
        }

        var emulator = await CognitoLocal.StartAsync(LocalServicesOptions.Throwaway(), cancellationToken);
        var pool = await emulator.CreateUserPoolAsync("cruddur-dev", [new Uri("http://127.0.0.1/")], cancellationToken);
        List<(string, string, string)> users = [];
        foreach (var user in DemoSeeder.Users)
        {
            var password = $"Cruddur-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}!";
            var attributes = new Dictionary<string, string> { ["preferred_username"] = user.Handle, ["name"] = user.DisplayName, ["email"] = user.Email };
            users.Add((user.Handle, await pool.CreateUserAsync(user.Handle, password, attributes, cancellationToken), password));
        }

        builder.Configuration.AddInMemoryCollection(pool.WebSettings);
        builder.Services.AddSingleton(provider => new LocalCognitoRun(emulator, pool, users, provider.GetRequiredService<IServer>(), provider.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddHostedService(provider => provider.GetRequiredService<LocalCognitoRun>());
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Once the server listens (its port is chosen then): the app client's callback URL, the bound rows, the passwords.</summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var callbacks = addresses.SelectMany(address => new[] { address.TrimEnd('/') + "/", address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal).TrimEnd('/') + "/" }).Distinct().ToList();
        await emulator.Client.CallAsync(
            "UpdateUserPoolClient",
            new JsonObject
            {
                ["UserPoolId"] = pool.UserPoolId,
                ["ClientId"] = pool.ClientId,
                ["ExplicitAuthFlows"] = new JsonArray("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
                ["AllowedOAuthFlows"] = new JsonArray("code"),
                ["AllowedOAuthScopes"] = new JsonArray("openid", "profile", "aws.cognito.signin.user.admin"),
                ["CallbackURLs"] = new JsonArray([.. callbacks.Select(url => (JsonNode)url)]),
            },
            cancellationToken);
        foreach (var (handle, sub, _) in users)
        {
            // The pool is new on every run, so the demo rows are bound to this run's subs.
            await using var bind = dataSource.CreateCommand("UPDATE public.users SET cognito_user_id = $2 WHERE handle = $1");
            bind.Parameters.Add(new() { Value = handle });
            bind.Parameters.Add(new() { Value = sub });
            await bind.ExecuteNonQueryAsync(cancellationToken);
        }

        Console.WriteLine($"Cognito sign-in (cognito-local at {emulator.ServiceUrl}, pool {pool.UserPoolId}): open {addresses.FirstOrDefault()} and sign in as");
        foreach (var (handle, _, password) in users)
        {
            Console.WriteLine($"  {handle} / {password}");
        }
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => emulator.DisposeAsync();
}
