using System.Diagnostics;
using System.Net.Sockets;
using Cruddur.Local.DemoData;
using System.Text;
using Spectre.Console;

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
            // Read while dev still writes: a recording console that is safe to read concurrently (TestConsole is not).
            var output = new RecordingWriter();
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(output),
            });
            console.Profile.Width = 250;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            // No endpoint options: dev must start its own services in the data folder.
            var run = CruddurCli.RunAsync(console, ["dev", "--data-dir", dataDirectory], stop.Token);
            var waited = Stopwatch.StartNew();
            while (!output.Text.Contains("Ctrl+C", StringComparison.Ordinal) && !run.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(120))
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }

            var printed = output.Text;
            run.IsCompleted.ShouldBeFalse(printed);
            printed.ShouldContain($"{DemoSeeder.ConversationItemCount} conversation item(s) added");
            printed.ShouldContain("Host=127.0.0.1;Port=");
            var dynamoDbPort = int.Parse(printed.Split("http://127.0.0.1:")[1].Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);
            File.Exists(Path.Combine(dataDirectory, "services.json")).ShouldBeTrue();
            printed.ShouldContain("Running the stream processor");
            var redisPort = int.Parse(printed.Split("ConnectionStrings__Redis=127.0.0.1:")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            using (var redis = new TcpClient())
            {
                await redis.ConnectAsync("127.0.0.1", redisPort, TestContext.Current.CancellationToken);
            }

            await stop.CancelAsync();
            var exitCode = await run;

            exitCode.ShouldBe(0);
            output.Text.ShouldContain("Stopping.");
            File.Exists(Path.Combine(dataDirectory, "services.json")).ShouldBeFalse();
            using var client = new TcpClient();
            await Should.ThrowAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", dynamoDbPort));
            using var stoppedRedis = new TcpClient();
            await Should.ThrowAsync<SocketException>(() => stoppedRedis.ConnectAsync("127.0.0.1", redisPort));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>Records what is written; <see cref="Text"/> may be read while another thread writes.</summary>
    private sealed class RecordingWriter : TextWriter
    {
        private readonly StringBuilder text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (text)
                {
                    return text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (text)
            {
                text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (text)
            {
                text.Append(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (text)
            {
                text.Append(buffer, index, count);
            }
        }
    }
}
