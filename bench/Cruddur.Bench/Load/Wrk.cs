using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cruddur.Bench.Load;

/// <summary>One HTTP request wrk sends; <see cref="Body"/> may hold the slots of <see cref="Wrk.UniqueSlot"/>.</summary>
internal sealed record WrkRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string? Body = null);

/// <summary>
/// Drives HTTP load with wrk, the cheapest client on this machine (Debian package; <c>bench.sh</c> installs it), so the
/// ratio app / raw DynamoDB measures the app and not the load generator. A Lua script cycles through the requests;
/// <see cref="UniqueSlot"/> in a body becomes a value no other request of the run has (a raw PutItem's sort key).
/// </summary>
internal static partial class Wrk
{
    /// <summary>Replaced in a request body by a 26-character value unique to the request.</summary>
    public const string UniqueSlot = "__UNIQUE__";

    public const string Executable = "wrk";

    /// <summary>Runs wrk for <paramref name="duration"/> with <paramref name="connections"/> connections and parses its report.</summary>
    public static async Task<LoadResult> RunAsync(Uri baseAddress, IReadOnlyList<WrkRequest> requests, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var script = Path.Combine(Path.GetTempPath(), $"cruddur-wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, Script(requests), cancellationToken);
        try
        {
            var threads = Math.Min(2, connections);
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { $"-t{threads}", $"-c{connections}", $"-d{Math.Max(1, (int)Math.Round(duration.TotalSeconds))}s", "--latency", "--timeout", "10s", "-s", script, baseAddress.ToString() })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var report = await output;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await errors}{report}");
            }

            return Parse(report, connections, duration);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>True when wrk can be started (bench.sh installs it; the run says so when it is missing).</summary>
    public static bool IsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, Executable)));

    /// <summary>Reads wrk's report (<c>--latency</c>): requests, rate, p50/p90/p99, max and the non-2xx and socket errors.</summary>
    internal static LoadResult Parse(string report, int connections, TimeSpan duration)
    {
        double Latency(string label)
        {
            var match = Regex.Match(report, $@"^\s*{Regex.Escape(label)}\s+([\d.]+)(us|ms|s)\b", RegexOptions.Multiline);
            return match.Success ? Milliseconds(match.Groups[1].Value, match.Groups[2].Value) : double.NaN;
        }

        var totals = RequestsLine().Match(report);
        var requests = totals.Success ? long.Parse(totals.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var seconds = totals.Success ? double.Parse(totals.Groups[2].Value, CultureInfo.InvariantCulture) : duration.TotalSeconds;
        var maxMatch = LatencyLine().Match(report);
        var non2xx = Non2xxLine().Match(report) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socket = SocketErrorsLine().Match(report) is { Success: true } e
            ? Enumerable.Range(1, 4).Sum(group => long.Parse(e.Groups[group].Value, CultureInfo.InvariantCulture))
            : 0;
        var errors = non2xx + socket;
        var succeeded = Math.Max(0, requests - non2xx);
        return new LoadResult(
            connections,
            succeeded,
            errors,
            seconds,
            seconds > 0 ? succeeded / seconds : 0,
            Latency("50%"),
            Latency("90%"),
            Latency("99%"),
            maxMatch.Success ? Milliseconds(maxMatch.Groups[1].Value, maxMatch.Groups[2].Value) : double.NaN,
            errors == 0 ? [] : [$"wrk: {non2xx} non-2xx answers, {socket} socket errors"]);
    }

    private static double Milliseconds(string value, string unit) =>
        double.Parse(value, CultureInfo.InvariantCulture) * unit switch { "us" => 0.001, "ms" => 1, _ => 1000 };

    /// <summary>
    /// The Lua script: every request pre-formatted once per thread; a body with <see cref="UniqueSlot"/> is split around
    /// it and joined per request with the thread's number and a counter.
    /// </summary>
    private static string Script(IReadOnlyList<WrkRequest> requests)
    {
        var lua = new StringBuilder();
        lua.AppendLine("local threads = 0");
        lua.AppendLine("function setup(thread) threads = threads + 1; thread:set(\"id\", threads) end");
        lua.AppendLine("local parts = {}");
        foreach (var request in requests)
        {
            var headers = string.Join(", ", request.Headers.Select(header => $"[{Quote(header.Key)}] = {Quote(header.Value)}"));
            var body = request.Body ?? "";
            var slot = body.IndexOf(UniqueSlot, StringComparison.Ordinal);
            var (before, after) = slot < 0 ? (body, (string?)null) : (body[..slot], body[(slot + UniqueSlot.Length)..]);
            lua.AppendLine(CultureInfo.InvariantCulture, $"parts[#parts + 1] = {{ method = {Quote(request.Method)}, path = {Quote(request.Path)}, headers = {{ {headers} }}, before = {Quote(before)}, after = {(after is null ? "nil" : Quote(after))} }}");
        }

        lua.AppendLine("""
            local formatted = {}
            local i = 0
            local counter = 0
            local prefix = string.format("%010d", os.time())
            function init(args)
              for k, p in ipairs(parts) do
                if p.after == nil then formatted[k] = wrk.format(p.method, p.path, p.headers, p.before) end
              end
            end
            function request()
              i = i % #parts + 1
              local p = parts[i]
              if p.after == nil then return formatted[i] end
              counter = counter + 1
              return wrk.format(p.method, p.path, p.headers, p.before .. prefix .. string.format("%02d%014d", id, counter) .. p.after)
            end
            """);
        return lua.ToString();
    }

    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when c < ' ' || c > '~' => string.Concat(Encoding.UTF8.GetBytes(c.ToString()).Select(b => "\\" + b.ToString(CultureInfo.InvariantCulture))),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    [GeneratedRegex(@"^\s*(\d+) requests in ([\d.]+)s", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\b", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s*(\d+)")]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();
}
