using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Cli;

/// <summary>The Unix tools the CLI safety tests need, run for real: file types by <c>stat</c>, nodes by <c>mknod</c>/<c>mkfifo</c>,
/// links by <c>ln</c>, signals by kill(2).</summary>
internal static class Posix
{
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    public static void RequireLinux() => Skip.IfNot(OperatingSystem.IsLinux(), "needs Linux (file types, mknod, mount, signals)");

    /// <summary>What coreutils' <c>stat</c> says the path is, not following a link: "regular file", "character special file", "fifo", "symbolic link"…</summary>
    public static string TypeOf(string path) => Run("stat", "--format=%F", path).Trim();

    /// <summary>Device and inode of the file a path names (following links), from coreutils' <c>stat</c>.</summary>
    public static string IdentityOf(string path) => Run("stat", "--dereference", "--format=%d:%i", path).Trim();

    /// <summary>A character device like /dev/null (1,3) at <paramref name="path"/>; skips where mknod is not permitted.</summary>
    public static void MakeNullDevice(string path)
    {
        var (exit, error) = TryRun("mknod", path, "c", "1", "3");
        Skip.If(exit != 0, $"mknod is not permitted here ({error.Trim()}): needs root or CAP_MKNOD");
    }

    public static void MakeFifo(string path) => Run("mkfifo", path);

    public static void HardLink(string existing, string link) => Run("ln", existing, link);

    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastWin32Error()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public static bool EnvResetsSignals() => TryRun("/usr/bin/env", "--default-signal", "true").Exit == 0;

    public static string Run(string tool, params string[] args)
    {
        var result = ProcessRun.Run(tool, args);
        if (result.Exit != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({result.Exit}): {result.Stderr}");
        return result.Stdout;
    }

    public static (int Exit, string Error) TryRun(string tool, params string[] args)
    {
        try
        {
            var result = ProcessRun.Run(tool, args);
            return (result.Exit, result.Stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
