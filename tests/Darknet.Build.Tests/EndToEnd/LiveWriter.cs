using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// The process writing a file, found by its open descriptor in /proc (a build or one of its nodes, in any PID namespace
/// below ours), and frozen with SIGSTOP while a test does something to the cache: work that is live for as long as needed.
/// <code>
/// var writer = LiveWriter.Find(tempPath, buildPid);   // null when nobody has it open
/// using (LiveWriter.Freeze(writer.Value)) { ... }    // SIGCONT on dispose
/// </code>
/// </summary>
public static class LiveWriter
{
    /// <summary>The process that has <paramref name="path"/> open, looking at <paramref name="first"/> before all others; or null.</summary>
    public static int? Find(string path, int first)
    {
        var others = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)).Select(n => int.Parse(n!));
        foreach (var pid in new[] { first }.Concat(others))
        {
            try
            {
                foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
                    if (new FileInfo(fd).LinkTarget == path) return pid;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
        }
        return null;
    }

    /// <summary>Polls (every 2 ms) for a file matching <paramref name="find"/> that a process has open; null when <paramref name="pid"/> ended first.</summary>
    public static (string Path, int Writer)? WaitForOpenFile(Func<string?> find, int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && Directory.Exists($"/proc/{pid}"))
        {
            var path = find();
            if (path != null && Find(path, pid) is int writer) return (path, writer);
            if (path == null) Thread.Sleep(2);
        }
        return null;
    }

    public static IDisposable Freeze(int pid)
    {
        Signal("STOP", pid);
        return new Thaw(pid);
    }

    private static void Signal(string signal, int pid)
    {
        var kill = Darknet.Testing.ProcessRun.Run("kill", "-" + signal, pid.ToString());
        if (kill.Exit != 0) throw new InvalidOperationException($"kill -{signal} {pid}: {kill}");
    }

    private sealed class Thaw : IDisposable
    {
        private readonly int _pid;

        public Thaw(int pid) => _pid = pid;

        public void Dispose() => Signal("CONT", _pid);
    }
}
