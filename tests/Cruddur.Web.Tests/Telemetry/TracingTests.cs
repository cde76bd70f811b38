using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Cruddur.Testing;
using Cruddur.Web.Telemetry;
using Cruddur.Web.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Cruddur.Web.Tests.Telemetry;

/// <summary>
/// The app's own OpenTelemetry tracing, exported in memory: one post is one trace from the HTTP request down to the
/// DynamoDB call and the SDK's HTTP request under it. The test names the trace itself (a W3C <c>traceparent</c> on the
/// request), because the tracer listens process-wide and sees the spans of every other test running beside it.
/// </summary>
public sealed class TracingTests(LocalServicesFixture services) : IAsyncLifetime
{
    private readonly ExportedSpans exported = new();
    private CruddurWebApplication app = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        app = await CruddurWebApplication.StartAsync(
            services,
            extra: new Dictionary<string, string?> { [TelemetrySetup.CollectSetting] = "true" },
            configureServices: s => s.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported)));

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_post_to_a_group_is_one_trace_from_the_request_to_the_DynamoDB_put()
    {
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        var group = (await alice.Client.SendToHandleAsync(bob.Handle, "first")).GetProperty("message_group_uuid").GetGuid();
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpanId = ActivitySpanId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = JsonContent.Create(new { message = "traced", message_group_uuid = group }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpanId}-01");
        using var response = await alice.Client.SendAsync(request, Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        // The server span ends after the answer has gone out, so it is exported a moment after the client has it.
        var spans = await SpansOfTraceAsync(traceId, s => s.Kind == ActivityKind.Server);
        var server = spans.Single(s => s.Kind == ActivityKind.Server);
        server.Source.Name.ShouldBe("Microsoft.AspNetCore");
        server.ParentSpanId.ShouldBe(callerSpanId);
        server.GetTagItem("http.request.method").ShouldBe("POST");
        server.GetTagItem("url.path").ShouldBe("/api/messages");

        var put = spans.Single(s => s.DisplayName == "DynamoDB C.put_message");
        put.Kind.ShouldBe(ActivityKind.Client);
        put.GetTagItem("aws.dynamodb.table_names").ShouldBe(app.TableName);
        AncestorsOf(put, spans).ShouldContain(server.SpanId);

        // The AWS SDK's own HTTP request to DynamoDB, from the HttpClient instrumentation, sits under the core's span.
        spans.ShouldContain(s => s.Kind == ActivityKind.Client && s.ParentSpanId == put.SpanId && s.Source.Name == "System.Net.Http");
    }

    [Fact]
    public async Task A_post_to_a_handle_traces_the_PostgreSQL_look_up_of_the_recipient_under_the_request()
    {
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        var bob = CruddurWebApplication.UniqueHandle("bob");
        using (await app.SignInAsync(bob))
        {
        }

        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = JsonContent.Create(new { message = "traced", handle = bob }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await alice.Client.SendAsync(request, Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var spans = await SpansOfTraceAsync(traceId, s => s.Kind == ActivityKind.Server);
        var server = spans.Single(s => s.Kind == ActivityKind.Server);
        var postgres = spans.Where(s => s.Source.Name == "Npgsql").ToArray();
        postgres.ShouldNotBeEmpty("the recipient's handle is looked up in PostgreSQL");
        postgres.ShouldAllBe(s => AncestorsOf(s, spans).Contains(server.SpanId));
    }

    private async Task<Activity[]> SpansOfTraceAsync(ActivityTraceId traceId, Func<Activity, bool> last)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(Token);
        wait.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            var spans = exported.Snapshot().Where(s => s.TraceId == traceId).ToArray();
            if (spans.Any(last))
            {
                return spans;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), wait.Token);
        }
    }

    private static List<ActivitySpanId> AncestorsOf(Activity span, Activity[] spans)
    {
        var ancestors = new List<ActivitySpanId>();
        for (var parent = span.ParentSpanId; spans.FirstOrDefault(s => s.SpanId == parent) is { } next; parent = next.ParentSpanId)
        {
            ancestors.Add(next.SpanId);
        }

        return ancestors;
    }

    /// <summary>The in-memory exporter's collection, locked: spans of other tests' requests arrive on other threads.</summary>
    private sealed class ExportedSpans : Collection<Activity>
    {
        private readonly Lock sync = new();

        public Activity[] Snapshot()
        {
            lock (sync)
            {
                return [.. this];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (sync)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
