namespace Darknet.Weights.Tests.Fuzz;

internal static class FuzzHarness
{
    /// <summary>This process's peak resident set size (VmHWM in /proc/self/status), or -1 where there is no /proc.</summary>
    public static long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Substring(6).Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException)
        {
        }
        return -1;
    }
}
