using System.Globalization;

namespace Cruddur.Bench;

/// <summary>What one run measures and for how long; <c>--quick</c> is a smoke run of the same steps.</summary>
internal sealed class BenchOptions
{
    public bool Quick { get; private init; }

    /// <summary>Only the wrk phases (app and raw, A–C) and what they need: for comparing one setting against another quickly.</summary>
    public bool WrkOnly { get; private init; }

    public IReadOnlyList<int> Users { get; private init; } = [1, 16, 64];

    public TimeSpan Warmup { get; private init; } = TimeSpan.FromSeconds(3);

    public TimeSpan Duration { get; private init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The warm-up before the first measurement: half of it raw queries (DynamoDB Local's JVM, default flags, warms up in
    /// about 30 s), then an eighth per app pattern (the app's tiered JIT).
    /// </summary>
    public TimeSpan DynamoDbWarmup { get; private init; } = TimeSpan.FromSeconds(60);

    public IReadOnlyList<int> ScalingGroups { get; private init; } = [10, 1_000, 10_000];

    public IReadOnlyList<int> ScalingMessages { get; private init; } = [100, 10_000, 100_000];

    /// <summary>Sequential first-page requests per scaling size (after a short warm-up).</summary>
    public int ScalingRequests { get; private init; } = 300;

    /// <summary>How long each CPU-sampled app phase runs (A, B and C at 16 users, after the measured phases).</summary>
    public TimeSpan ProfileDuration { get; private init; } = TimeSpan.FromSeconds(8);

    public string? WebAppDll { get; private init; }

    public string? OutputDirectory { get; private init; }

    /// <summary>Extra environment for the app process (<c>--app-env KEY=VALUE</c>), to try a setting without changing the app.</summary>
    public IReadOnlyDictionary<string, string> AppEnvironment { get; private init; } = new Dictionary<string, string>();

    public static string Usage =>
        """
        Usage: ./bench.sh [--quick] [options]

          --quick               smoke run: 1 s warm-up, 2 s per phase, 8 s first warm-up, scaling 10/100/1000 and 100/1000/10000
          --users 1,16,64       concurrency levels (simulated users, closed loop)
          --warmup SECONDS      warm-up per phase (default 3)
          --duration SECONDS    measured time per phase (default 10)
          --ddb-warmup SECONDS  warm-up before measuring: half raw queries, half the app's patterns (default 60)
          --web-dll PATH        the built Cruddur.Web.dll (default: src/Cruddur.Web/bin/Release/net10.0)
          --out DIR             where the JSON and markdown go (default: bench/out)
          --app-env KEY=VALUE   extra environment variable for the app process (repeatable)
          --wrk-only            only the wrk phases (A, B, C through the app and raw), no C# load, profile, scaling or capacity

        Exit codes: 0 finished (targets are reported, not asserted), 1 failed, 2 cancelled.
        """;

    /// <summary>Parses the arguments; a user-facing error message when they do not make sense.</summary>
    public static (BenchOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        var options = quick
            ? new BenchOptions
            {
                Quick = true,
                Warmup = TimeSpan.FromSeconds(1),
                Duration = TimeSpan.FromSeconds(2),
                DynamoDbWarmup = TimeSpan.FromSeconds(8),
                ScalingGroups = [10, 100, 1_000],
                ScalingMessages = [100, 1_000, 10_000],
                ScalingRequests = 50,
                ProfileDuration = TimeSpan.FromSeconds(2),
            }
            : new BenchOptions();
        var appEnvironment = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--quick")
            {
                continue;
            }

            if (arg == "--wrk-only")
            {
                options = options.With(wrkOnly: true);
                continue;
            }

            if (i + 1 >= args.Count)
            {
                return (null, $"{arg} is not a known option or has no value.");
            }

            var value = args[++i];
            switch (arg)
            {
                case "--users":
                    var users = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                        .ToArray();
                    if (users.Length == 0 || users.Any(n => n is < 1 or > 256))
                    {
                        return (null, "--users takes a comma-separated list of numbers from 1 to 256.");
                    }

                    options = options.With(users: users);
                    break;
                case "--warmup" or "--duration" or "--ddb-warmup":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || seconds > 600)
                    {
                        return (null, $"{arg} takes a number of seconds from 0 to 600.");
                    }

                    var time = TimeSpan.FromSeconds(seconds);
                    options = arg switch
                    {
                        "--warmup" => options.With(warmup: time),
                        "--duration" => seconds < 1 ? options : options.With(duration: time),
                        _ => options.With(dynamoDbWarmup: time),
                    };
                    break;
                case "--web-dll":
                    if (!File.Exists(value))
                    {
                        return (null, $"--web-dll {value}: no such file.");
                    }

                    options = options.With(webAppDll: Path.GetFullPath(value));
                    break;
                case "--out":
                    options = options.With(outputDirectory: Path.GetFullPath(value));
                    break;
                case "--app-env":
                    var parts = value.Split('=', 2);
                    if (parts.Length != 2 || parts[0].Length == 0)
                    {
                        return (null, "--app-env takes KEY=VALUE.");
                    }

                    appEnvironment[parts[0]] = parts[1];
                    break;
                default:
                    return (null, $"{arg} is not a known option.");
            }
        }

        return (options.With(appEnvironment: appEnvironment), null);
    }

    private BenchOptions With(
        IReadOnlyList<int>? users = null,
        TimeSpan? warmup = null,
        TimeSpan? duration = null,
        TimeSpan? dynamoDbWarmup = null,
        string? webAppDll = null,
        string? outputDirectory = null,
        IReadOnlyDictionary<string, string>? appEnvironment = null,
        bool? wrkOnly = null) => new()
        {
            Quick = Quick,
            WrkOnly = wrkOnly ?? WrkOnly,
            Users = users ?? Users,
            Warmup = warmup ?? Warmup,
            Duration = duration ?? Duration,
            DynamoDbWarmup = dynamoDbWarmup ?? DynamoDbWarmup,
            ScalingGroups = ScalingGroups,
            ScalingMessages = ScalingMessages,
            ScalingRequests = ScalingRequests,
            ProfileDuration = ProfileDuration,
            WebAppDll = webAppDll ?? WebAppDll,
            OutputDirectory = outputDirectory ?? OutputDirectory,
            AppEnvironment = appEnvironment ?? AppEnvironment,
        };
}
