using System.Diagnostics;

namespace Cruddur.Web.Tests.Hosting;

/// <summary>
/// The built app as its own process, as a container would start it: outside Development it never starts local services,
/// and a missing setting stops it at once with one line naming the key.
/// </summary>
public sealed class ProductionStartTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Production_without_settings_exits_non_zero_with_one_line_naming_the_keys_and_starts_nothing()
    {
        var result = await RunAppAsync(new Dictionary<string, string>());

        result.ExitCode.ShouldNotBe(0);
        result.ErrorLines.Count.ShouldBe(1, string.Join('\n', result.ErrorLines));
        result.ErrorLines[0].ShouldContain("DynamoDb:ServiceUrl or DynamoDb:Region");
        result.ErrorLines[0].ShouldContain("ConnectionStrings:Postgres");
        result.ErrorLines[0].ShouldContain("Authentication:Cognito:Region");
        result.OutputLines.ShouldBeEmpty();
        result.LauncherRan.ShouldBeFalse("the local services launcher made its data folder");
    }

    [Fact]
    public async Task Production_with_the_stores_but_no_Cognito_names_the_Cognito_keys_only()
    {
        var result = await RunAppAsync(new Dictionary<string, string>
        {
            ["DynamoDb__ServiceUrl"] = "http://127.0.0.1:9",
            ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=9;Username=postgres",
        });

        result.ExitCode.ShouldNotBe(0);
        result.ErrorLines.Count.ShouldBe(1, string.Join('\n', result.ErrorLines));
        result.ErrorLines[0].ShouldContain("Authentication:Cognito:Region");
        result.ErrorLines[0].ShouldNotContain("DynamoDb");
        result.LauncherRan.ShouldBeFalse("the local services launcher made its data folder");
    }

    /// <summary>Runs <c>dotnet Cruddur.Web.dll</c> in Production with only <paramref name="settings"/> (environment variables).</summary>
    private static async Task<AppRun> RunAppAsync(Dictionary<string, string> settings)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("cruddur-production-start-");
        try
        {
            // Where the launcher would keep its services if it ran: it creates this folder first thing.
            var localData = Path.Combine(workingDirectory.FullName, "local-services");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cruddur.Web.dll"));
            foreach (var key in start.Environment.Keys.Where(IsAppSetting).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
            start.Environment["LocalServices__DataDirectory"] = localData;
            foreach (var (key, value) in settings)
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(Token);
            var error = process.StandardError.ReadToEndAsync(Token);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("The app did not stop on its own within 60 s: it started instead of refusing its settings.");
            }

            return new AppRun(process.ExitCode, Lines(await output), Lines(await error), Directory.Exists(localData));
        }
        finally
        {
            workingDirectory.Delete(recursive: true);
        }
    }

    private static bool IsAppSetting(string key) =>
        key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
        || key.Contains("__", StringComparison.Ordinal);

    private static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0)];

    private sealed record AppRun(int ExitCode, List<string> OutputLines, List<string> ErrorLines, bool LauncherRan);
}
