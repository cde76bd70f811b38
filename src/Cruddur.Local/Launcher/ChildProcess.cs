using System.Diagnostics;
using System.Text;

namespace Cruddur.Local.Launcher;

/// <summary>Runs the external programs of the local services (java, npm, initdb, pg_ctl).</summary>
internal static class ChildProcess
{
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Finds an executable on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }

    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, string? runAsUser = null)
    {
        var info = runAsUser is null
            ? new ProcessStartInfo(fileName)
            : new ProcessStartInfo("runuser") { ArgumentList = { "-u", runAsUser, "--", fileName } };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.WorkingDirectory = workingDirectory ?? Path.GetTempPath();
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return info;
    }

    /// <summary>Runs a program to its end and fails with its output when it exits non-zero.</summary>
    public static async Task<string> RunAsync(ProcessStartInfo info, string what, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = info };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new LocalServiceException($"{what} failed (exit code {process.ExitCode}):{Environment.NewLine}{output}");
        }

        return output.ToString();
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
