using System.Net;
using Cruddur.Messaging.Hosting;
using Microsoft.Extensions.Options;

namespace Cruddur.Web.Hardening;

/// <summary>Section <c>Development</c>: what lets a Development app (dev sign-in: anyone is anyone) reach beyond this machine.</summary>
internal sealed class DevelopmentGuardSettings
{
    public const string SectionName = "Development";

    /// <summary>Allows Development to listen beyond loopback or to use real AWS DynamoDB. Off by default.</summary>
    public bool AllowNonLocal { get; set; }
}

/// <summary>
/// Development signs anyone in as anyone (<c>/api/dev/sign-in</c>): it refuses to start when it listens beyond loopback
/// (<c>urls</c>, <c>Kestrel:Endpoints:*:Url</c>) or talks to real AWS (<c>DynamoDb:Region</c> without a local
/// <c>DynamoDb:ServiceUrl</c>), unless <c>Development:AllowNonLocal</c> is true.
/// </summary>
internal sealed class DevelopmentGuard(IConfiguration configuration, IHostEnvironment environment) : IValidateOptions<DevelopmentGuardSettings>
{
    public ValidateOptionsResult Validate(string? name, DevelopmentGuardSettings options)
    {
        if (!environment.IsDevelopment() || options.AllowNonLocal)
        {
            return ValidateOptionsResult.Success;
        }

        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(endpoint => endpoint["Url"] ?? ""))
            .Where(url => url.Length > 0 && !IsLoopback(url))
            .ToList();
        if (urls.Count > 0)
        {
            return ValidateOptionsResult.Fail($"Development listens beyond this machine ({string.Join(", ", urls)}) while its dev sign-in lets anyone be anyone: bind to localhost or 127.0.0.1, or set {DevelopmentGuardSettings.SectionName}:AllowNonLocal=true.");
        }

        return string.IsNullOrWhiteSpace(configuration[CruddurSettings.DynamoDbServiceUrl]) && !string.IsNullOrWhiteSpace(configuration[CruddurSettings.DynamoDbRegion])
            ? ValidateOptionsResult.Fail($"Development is pointed at real AWS DynamoDB ({CruddurSettings.DynamoDbRegion}={configuration[CruddurSettings.DynamoDbRegion]}) while its dev sign-in lets anyone be anyone: use a local {CruddurSettings.DynamoDbServiceUrl}, or set {DevelopmentGuardSettings.SectionName}:AllowNonLocal=true.")
            : ValidateOptionsResult.Success;
    }

    private static bool IsLoopback(string url)
    {
        // Kestrel's wildcards (http://*:5000, http://+:5000) do not parse as a URI host: they mean every address.
        var host = Uri.TryCreate(url.Replace("://*", "://any-address", StringComparison.Ordinal).Replace("://+", "://any-address", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Host : "";
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
