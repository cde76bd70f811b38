using System.Globalization;

namespace Cruddur.Bench.Reporting;

/// <summary>Issue 16's targets, reported beside the figures and never asserted. Ratios compare wrk against wrk.</summary>
internal static class Targets
{
    public static void Evaluate(BenchResults results, IReadOnlyList<int> users)
    {
        var load = results.Load;
        LoadRow? Row(string pattern, string client, int n) => load.FirstOrDefault(r => r.Pattern == pattern && r.Client == client && r.Users == n);
        static string F(double value) => double.IsNaN(value) ? "–" : value.ToString("0.00", CultureInfo.InvariantCulture);

        var at16 = users.Contains(16) ? 16 : users.Where(n => n <= 16).DefaultIfEmpty(users.Min()).Max();
        foreach (var (pattern, least) in new[] { ("A", 0.7), ("B", 0.7), ("C", 0.5) })
        {
            if (Row(pattern, "wrk-app", at16) is { } app && Row(pattern, "wrk-raw", at16) is { } raw)
            {
                var ratio = app.Result.RequestsPerSecond / raw.Result.RequestsPerSecond;
                results.Targets.Add(new($"{pattern}: app ≥ {least} × raw req/s (wrk, {at16} connections)", F(ratio), ratio >= least));
            }
        }

        foreach (var pattern in new[] { "A", "B" })
        {
            if (Row(pattern, "wrk-app", at16) is { } app)
            {
                var cpuMs = app.Use.AppCpuSeconds * 1000 / Math.Max(1, app.Result.Requests + app.Result.Errors);
                results.Targets.Add(new($"{pattern}: app CPU per warm read ≤ 0.3 ms (wrk, {at16} connections)", $"{F(cpuMs)} ms", cpuMs <= 0.3));
            }

            var ratios = users.Select(n => (n, app: Row(pattern, "wrk-app", n), raw: Row(pattern, "wrk-raw", n)))
                .Where(x => x.app is not null && x.raw is not null)
                .Select(x => (x.n, ratio: x.app!.Result.P99Ms / x.raw!.Result.P99Ms))
                .ToArray();
            if (ratios.Length > 0)
            {
                results.Targets.Add(new(
                    $"{pattern}: app p99 ≤ 2 × raw p99 (wrk)",
                    string.Join(", ", ratios.Select(x => $"{F(x.ratio)}× at {x.n}")),
                    ratios.All(x => x.ratio <= 2)));
            }
        }

        var errors = load.Where(r => r.ThroughApp).Sum(r => r.Result.Errors);
        results.Targets.Add(new("zero errors (app)", errors.ToString(CultureInfo.InvariantCulture), errors == 0));

        var most = users.Max();
        var lags = results.StreamLag.Where(r => r.Pattern == "C" && r.Result.Samples > 0).ToArray();
        if (lags.Length > 0)
        {
            results.Targets.Add(new(
                $"pattern E lag p99 < 1 s at {most} posting users, nothing lost",
                string.Join(", ", lags.Select(r => $"{r.Result.P99Ms:0} ms at {r.Users} (settled {r.Result.SettledP99Ms:0})")),
                lags.Where(r => r.Users == most).All(r => r.Result.P99Ms < 1000) && lags.All(r => r.Result.TimedOut == 0 && r.DrainTimedOut == 0)));
        }

        var rss = load.Where(r => r.ThroughApp && r.Users == most).Select(r => r.Use.AppRssMaxMb).DefaultIfEmpty(double.NaN).Max();
        results.Targets.Add(new($"app RSS < 150 MB at {most} users", $"{rss:0} MB", double.IsNaN(rss) ? null : rss < 150));

        if (results.Startup is { } startup)
        {
            results.Targets.Add(new("app start to first answer < 1 s (services running)", $"{startup.AppStartMs:0} ms", startup.AppStartMs < 1000));
        }

        // A message's whole write cost: the post (C) plus pattern E moving both rows (table + GSI).
        double Writes(string pattern, string variant) => results.Capacity
            .Where(r => r.Pattern == pattern && r.Variant == variant)
            .Sum(r => r.TableWcu + r.GsiWcu);
        if (results.Capacity.Any(r => r.Pattern == "E"))
        {
            var perMessage = Writes("C", "warm") + Writes("E", "new message (rows move)");
            results.Targets.Add(new("write cost ≤ 9 WCU per message including E", $"{F(perMessage)} WCU", perMessage <= 9));
        }

        foreach (var pattern in new[] { "B", "A" })
        {
            var scaling = results.Scaling.Where(r => r.Pattern == pattern).ToArray();
            if (scaling.Length > 0)
            {
                var worst = scaling.Max(r => r.AppRatio);
                results.Targets.Add(new(
                    $"{pattern}: scaling ratio ≤ 1.5 (first page, largest/smallest)",
                    string.Join(", ", scaling.Select(r => $"{F(r.AppRatio)} at {r.Size:N0}")),
                    worst <= 1.5));
            }
        }
    }
}
