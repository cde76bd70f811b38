using System.Globalization;

namespace Cruddur.Bench.Reporting;

/// <summary>The targets, reported beside the figures and never asserted.</summary>
internal static class Targets
{
    public static void Evaluate(BenchResults results, IReadOnlyList<int> users)
    {
        var load = results.Load;
        LoadRow? Row(string pattern, string client, int n) => load.FirstOrDefault(r => r.Pattern == pattern && r.Client == client && r.Users == n);
        static string F(double value) => double.IsNaN(value) ? "–" : value.ToString("0.00", CultureInfo.InvariantCulture);

        var at16 = users.Contains(16) ? 16 : users.Where(n => n <= 16).DefaultIfEmpty(users.Min()).Max();
        foreach (var pattern in new[] { "A", "B" })
        {
            if (Row(pattern, "app", at16) is { } app && Row(pattern, "raw", at16) is { } raw)
            {
                var ratio = app.Result.RequestsPerSecond / raw.Result.RequestsPerSecond;
                results.Targets.Add(new($"{pattern}: app/raw req/s ≥ 0.5 at {at16} users", F(ratio), ratio >= 0.5));
            }
        }

        foreach (var pattern in new[] { "A", "B", "C" })
        {
            var ratios = users.Select(n => (n, app: Row(pattern, "app", n), raw: Row(pattern, "raw", n)))
                .Where(x => x.app is not null && x.raw is not null)
                .Select(x => (x.n, ratio: x.app!.Result.P99Ms / x.raw!.Result.P99Ms))
                .ToArray();
            if (ratios.Length > 0)
            {
                results.Targets.Add(new(
                    $"{pattern}: app p99 ≤ 3× raw p99",
                    string.Join(", ", ratios.Select(x => $"{F(x.ratio)}× at {x.n}")),
                    ratios.All(x => x.ratio <= 3)));
            }
        }

        var errors = load.Where(r => r.Client == "app").Sum(r => r.Result.Errors);
        results.Targets.Add(new("zero errors (app)", errors.ToString(CultureInfo.InvariantCulture), errors == 0));

        var most = users.Max();
        var rss = load.Where(r => r.Client == "app" && r.Users == most).Select(r => r.Use.AppRssMaxMb).DefaultIfEmpty(double.NaN).Max();
        results.Targets.Add(new($"app RSS < 200 MB at {most} users", $"{rss:0} MB", double.IsNaN(rss) ? null : rss < 200));

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

        var lags = results.StreamLag.Where(r => r.Pattern == "C" && r.Result.Samples > 0).ToArray();
        if (lags.Length > 0)
        {
            results.Targets.Add(new(
                "stream lag p99 < 1 s under C load",
                string.Join(", ", lags.Select(r => $"{r.Result.P99Ms:0} ms at {r.Users}")),
                lags.All(r => r.Result.P99Ms < 1000 && r.Result.TimedOut == 0)));
        }
    }
}
