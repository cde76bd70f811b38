using Microsoft.Extensions.Options;

namespace Cruddur.Web.Hosting;

/// <summary>Turns settings refused at start into one line on standard error and exit code 1, instead of a stack trace.</summary>
internal static class StartupFailure
{
    public const int InvalidSettingsExitCode = 1;

    /// <summary>Runs the app until it stops (0), or answers <see cref="InvalidSettingsExitCode"/> when its settings are refused.</summary>
    public static async Task<int> RunOrExplainAsync(this WebApplication app)
    {
        try
        {
            // The host runs the same check when it starts, but only after building its hosted services (which need the
            // settings) and with a logged stack trace: checking first keeps a refusal to the one line below.
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception exception) when (Failures(exception) is { Count: > 0 } failures)
        {
            await Console.Error.WriteLineAsync($"Cruddur.Web cannot start: {string.Join(" ", failures)}");
            return InvalidSettingsExitCode;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>The messages of the settings refused (one exception, or several gathered by the start-up check), else empty.</summary>
    private static List<string> Failures(Exception exception) => exception switch
    {
        OptionsValidationException invalid => [.. invalid.Failures.Select(OneLine)],
        AggregateException { InnerExceptions: var inner } when inner.All(e => e is OptionsValidationException) =>
            [.. inner.Cast<OptionsValidationException>().SelectMany(e => e.Failures).Select(OneLine)],
        _ => [],
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
