using System.Net;
using System.Text;
using System.Threading.Channels;

namespace Cruddur.Web.Tests.Infrastructure;

/// <summary>
/// Reads an open <c>/api/events</c> stream line by line. A background read feeds the lines to a queue, so that waiting
/// for a line may time out without cancelling the read (which would abort the connection).
/// </summary>
public sealed class EventReader : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource closing = new();
    private readonly Task pump;

    private EventReader(HttpResponseMessage response, Stream stream)
    {
        Response = response;
        pump = PumpAsync(new StreamReader(stream, Encoding.UTF8));
    }

    public HttpResponseMessage Response { get; }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<EventReader> OpenAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var reader = new EventReader(response, await response.Content.ReadAsStreamAsync(Token));
        (await reader.NextLineAsync(Patience)).ShouldBe("event: connected"); // the framework's SSE writer has no comments: an event without data opens the stream
        return reader;
    }

    /// <summary>The data line of a change of <paramref name="group"/>.</summary>
    public static string DataLineOf(Guid group) => $"data: {{\"message_group_uuid\":\"{group:D}\",\"kind\":\"message\"}}";

    /// <summary>The next <c>data:</c> line with data, skipping other lines; fails after 20 s.</summary>
    public async Task<string> NextDataLineAsync() => await NextDataLineAsync(Patience) ?? throw new TimeoutException("No event within 20 s.");

    /// <summary>The next <c>data:</c> line with data, or null when none came within <paramref name="patience"/>.</summary>
    public async Task<string?> NextDataLineAsync(TimeSpan patience)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(patience);
        try
        {
            while (true)
            {
                var line = await lines.Reader.ReadAsync(deadline.Token);
                // Like the UI: an event without data (connected, heartbeat) is not news.
                if (line.StartsWith("data:", StringComparison.Ordinal) && line.Length > "data: ".Length)
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The event stream ended.");
        }
    }

    /// <summary>Every line until the server ends the stream; fails when it is still open after 20 s.</summary>
    public async Task<List<string>> ReadToEndAsync()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(Patience);
        var read = new List<string>();
        await foreach (var line in lines.Reader.ReadAllAsync(deadline.Token))
        {
            read.Add(line);
        }

        return read;
    }

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        Response.Dispose();
        await pump;
        closing.Dispose();
    }

    private async Task<string?> NextLineAsync(TimeSpan patience)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(patience);
        return await lines.Reader.ReadAsync(deadline.Token);
    }

    private async Task PumpAsync(StreamReader reader)
    {
        await Task.Yield();
        try
        {
            while (await reader.ReadLineAsync(closing.Token) is { } line)
            {
                lines.Writer.TryWrite(line);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
            // Closed by the test, or the connection broke: either way the stream has ended.
        }
        finally
        {
            reader.Dispose();
            lines.Writer.TryComplete();
        }
    }
}
