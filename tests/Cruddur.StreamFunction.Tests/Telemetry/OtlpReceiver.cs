using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cruddur.StreamFunction.Tests.Telemetry;

/// <summary>
/// A real HTTP endpoint on a free loopback port that takes OTLP/HTTP exports (<c>POST /v1/traces</c>, <c>/v1/metrics</c>)
/// and keeps their protobuf bodies; it answers 200 with an empty body (an empty export response).
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> exports = new();

    private OtlpReceiver(WebApplication app) => this.app = app;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new OtlpReceiver(builder.Build());
        receiver.app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
            receiver.exports.Enqueue((signal, body.ToArray()));
            return Results.Ok();
        });
        await receiver.app.StartAsync(cancellationToken);
        receiver.Endpoint = new Uri(receiver.app.Urls.Single());
        return receiver;
    }

    /// <summary>The bodies received so far for one signal (<c>traces</c>, <c>metrics</c>).</summary>
    public byte[][] Received(string signal) => [.. exports.Where(e => e.Signal == signal).Select(e => e.Body)];

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
