using System.Globalization;

namespace Cruddur.Bench.Monitoring;

/// <summary>Reads what Linux's /proc says about a process and the machine: memory, CPU time, load.</summary>
internal static class ProcFs
{
    // USER_HZ is 100 on every Linux this runs on; /proc reports CPU times in those ticks.
    private const double TicksPerSecond = 100;

    /// <summary>VmRSS and VmHWM (peak RSS) of a process, in MiB; null when it is gone.</summary>
    public static (double RssMb, double PeakRssMb)? Memory(int pid)
    {
        try
        {
            double rss = 0, peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line) / 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line) / 1024;
                }
            }

            return (rss, peak);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>User + system CPU seconds a process has used so far (its own, not its children's).</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>CPU seconds so far of a process's threads, summed by thread name (digits dropped: ".NET TP Worker", ".NET Server GC").</summary>
    public static Dictionary<string, double> CpuSecondsByThreadName(int pid)
    {
        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var open = stat.IndexOf('(', StringComparison.Ordinal);
                    var close = stat.LastIndexOf(')');
                    var name = new string([.. stat[(open + 1)..close].Where(c => !char.IsDigit(c))]).Trim();
                    var fields = stat[(close + 2)..].Split(' ');
                    var seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                    byName[name] = byName.GetValueOrDefault(name) + seconds;
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The process is gone.
        }

        return byName;
    }

    /// <summary>Busy and total CPU seconds of the whole machine so far (all cores).</summary>
    public static (double Busy, double Total) MachineCpuSeconds()
    {
        var first = File.ReadLines("/proc/stat").First();
        var values = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal ...
        var idle = values[3] + values[4];
        var total = values.Take(8).Sum();
        return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
    }

    /// <summary>The 1-minute load average.</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    public static double MemoryGb() =>
        File.ReadLines("/proc/meminfo").Where(line => line.StartsWith("MemTotal:", StringComparison.Ordinal)).Select(Kilobytes).FirstOrDefault() / 1024 / 1024;

    private static double Kilobytes(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
