using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Cruddur.Messaging.Hosting;
using Cruddur.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Web.Tests.Infrastructure;

/// <summary>
/// The web app in process, on the fixture's DynamoDB Local and PostgreSQL, with its own table and database.
/// Settings go in through host configuration; users sign in through the real dev sign-in route.
/// </summary>
public sealed class CruddurWebApplication(string environment, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices) : WebApplicationFactory<Program>
{
    /// <summary>An app in Development (dev sign-in on) with a fresh table and database.</summary>
    public static async Task<CruddurWebApplication> StartAsync(
        LocalServicesFixture services,
        string environment = "Development",
        IReadOnlyDictionary<string, string?>? extra = null,
        Uri? dynamoDbServiceUrl = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tableName = dynamoDbServiceUrl is null ? await services.CreateTableAsync(cancellationToken) : LocalServicesFixture.UniqueName("messages");
        var settings = new Dictionary<string, string?>
        {
            [CruddurSettings.DynamoDbServiceUrl] = (dynamoDbServiceUrl ?? services.DynamoDbServiceUrl).ToString(),
            [CruddurSettings.PostgresConnectionString] = await services.CreateDatabaseAsync(cancellationToken),
            ["Messaging:TableName"] = tableName,
            ["LocalRun:LoadSchemas"] = "true",
            ["LocalRun:SeedDemoData"] = "false",
            ["LocalRun:StreamProcessor"] = "false",
            ["LocalRun:PrintSignInHelp"] = "false",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = new CruddurWebApplication(environment, settings, configureServices);
        app.TableName = tableName;
        _ = app.Server; // start now, so the schemas exist before the first request
        return app;
    }

    public string TableName { get; private set; } = "";

    public IReadOnlyDictionary<string, string?> Settings => settings;

    /// <summary>A handle no other test uses.</summary>
    public static string UniqueHandle(string name) => $"{name}_{Guid.NewGuid():N}"[..Math.Min(30, name.Length + 9)];

    /// <summary>Signs a user in (creating them) through <c>POST /api/dev/sign-in</c> and returns a client that sends their token.</summary>
    public async Task<SignedInUser> SignInAsync(string handle, string? displayName = null)
    {
        using var anonymous = CreateClient();
        using var response = await anonymous.PostAsJsonAsync(
            "/api/dev/sign-in",
            new Dictionary<string, string?> { ["handle"] = handle, ["display_name"] = displayName ?? handle.ToUpperInvariant() },
            TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var token = json.RootElement.GetProperty("access_token").GetString()!;
        var user = json.RootElement.GetProperty("user");
        return new SignedInUser(
            user.GetProperty("uuid").GetGuid(),
            user.GetProperty("handle").GetString()!,
            user.GetProperty("display_name").GetString()!,
            token,
            CreateAuthorizedClient(token));
    }

    public HttpClient CreateAuthorizedClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }
}

/// <summary>A signed-in user and a client that sends their token.</summary>
public sealed record SignedInUser(Guid Uuid, string Handle, string DisplayName, string Token, HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}
