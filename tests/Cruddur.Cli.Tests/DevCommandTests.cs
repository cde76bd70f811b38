using System.Diagnostics;
using System.Net.Sockets;
using Cruddur.Messaging.Seeding;
using Spectre.Console.Testing;

namespace Cruddur.Cli.Tests;

public sealed class DevCommandTests
{
    [Fact]
    public async Task Dev_starts_loads_seeds_prints_how_to_connect_and_stops_everything_on_ctrl_c_with_exit_0()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("cruddur-dev-").FullName;
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101);
        try
        {
            var console = new TestConsole();
            console.Profile.Width = 250;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            // No endpoint options: dev must start its own services in the data folder.
            var run = CruddurCli.RunAsync(console, ["dev", "--data-dir", dataDirectory], stop.Token);
            var waited = Stopwatch.StartNew();
            while (!console.Output.Contains("Ctrl+C", StringComparison.Ordinal) && !run.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(120))
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }

            var output = console.Output;
            run.IsCompleted.ShouldBeFalse(output);
            output.ShouldContain($"{DemoSeeder.ConversationItemCount} conversation item(s) added");
            output.ShouldContain("Host=127.0.0.1;Port=");
            var dynamoDbPort = int.Parse(output.Split("http://127.0.0.1:")[1].Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);
            File.Exists(Path.Combine(dataDirectory, "services.json")).ShouldBeTrue();

            await stop.CancelAsync();
            var exitCode = await run;

            exitCode.ShouldBe(0);
            console.Output.ShouldContain("Stopping.");
            File.Exists(Path.Combine(dataDirectory, "services.json")).ShouldBeFalse();
            using var client = new TcpClient();
            await Should.ThrowAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", dynamoDbPort));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
