using Cruddur.Local.StreamProcessor;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Cruddur.Messaging.Hosting;
using Cruddur.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Web.BrowserTests.Infrastructure;

/// <summary>
/// The web app on real Kestrel at 127.0.0.1 (a browser needs a socket), in Development, on the fixture's DynamoDB
/// Local and PostgreSQL with its own table and database, and with the local stream processor on, so live updates flow.
/// </summary>
public sealed class UiServer(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public static async Task<UiServer> StartAsync(LocalServicesFixture services, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [CruddurSettings.DynamoDbServiceUrl] = services.DynamoDbServiceUrl.ToString(),
            [CruddurSettings.PostgresConnectionString] = await services.CreateDatabaseAsync(cancellationToken),
            ["Messaging:TableName"] = await services.CreateTableAsync(cancellationToken),
            ["LocalRun:LoadSchemas"] = "true",
            ["LocalRun:SeedDemoData"] = "false",
            ["LocalRun:StreamProcessor"] = "true",
            ["LocalRun:PrintSignInHelp"] = "false",
            ["LocalStreamProcessor:PollInterval"] = "00:00:00.050",
            ["RateLimiting:Posts:PermitLimit"] = "10000", // the tests seed long conversations through the API
            ["Logging:LogLevel:Cruddur.Messaging.Stream"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var server = new UiServer(settings);
        server.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        server.StartServer();
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Address = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>The real address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>A handle no other test uses (the dev sign-in allows 30 letters, digits, underscores).</summary>
    public static string UniqueHandle(string name) => $"{name}_{Guid.NewGuid():N}"[..Math.Min(30, name.Length + 9)];

    /// <summary>Signs a user in (creating them) over HTTP, for seeding conversations without a browser.</summary>
    public async Task<ApiUser> SignInAsync(string handle, string displayName, CancellationToken cancellationToken)
    {
        var client = new HttpClient { BaseAddress = Address };
        using var response = await client.PostAsJsonAsync("/api/dev/sign-in", new { handle, display_name = displayName }, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("access_token").GetString());
        return new ApiUser(handle, displayName, client);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>A user signed in over HTTP, who sends messages through the API.</summary>
public sealed record ApiUser(string Handle, string DisplayName, HttpClient Client) : IDisposable
{
    /// <summary>Sends to a handle (pattern D) and returns the conversation's uuid.</summary>
    public async Task<Guid> SendToHandleAsync(string handle, string message, CancellationToken cancellationToken)
    {
        using var response = await Client.PostAsJsonAsync("/api/messages", new { message, handle }, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return json.RootElement.GetProperty("message_group_uuid").GetGuid();
    }

    public async Task SendToGroupAsync(Guid group, string message, CancellationToken cancellationToken)
    {
        using var response = await Client.PostAsJsonAsync("/api/messages", new { message, message_group_uuid = group }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => Client.Dispose();
}
