using System.Diagnostics;

namespace Darknet.Build.Tests.Infrastructure;

/// <summary>The MSBuild worker nodes (`/nodemode:`) a build process starts, found by parent pid in /proc, and ended by pid.</summary>
public static class MsbuildNodes
{
    /// <summary>Adds to <paramref name="found"/> (under its lock) each node child of <paramref name="buildPid"/> until that process exits.</summary>
    public static void Watch(int buildPid, List<int> found)
    {
        while (Directory.Exists("/proc/" + buildPid))
        {
            foreach (var dir in Directory.GetDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
                    if (int.Parse(fields[1]) != buildPid) continue;
                    if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("nodemode", StringComparison.OrdinalIgnoreCase)) continue;
                    lock (found)
                        if (!found.Contains(pid)) found.Add(pid);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    // The process ended while it was read.
                }
            }
            Thread.Sleep(50);
        }
    }

    public static void End(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(10_000);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }
}
