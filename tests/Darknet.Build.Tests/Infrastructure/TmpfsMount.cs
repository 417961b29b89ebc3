using System.Diagnostics;

namespace Darknet.Build.Tests.Infrastructure;

/// <summary>
/// A real small file system for tests of full and read-only caches: <c>TmpfsMount.TryCreate(sizeMb)</c> mounts a tmpfs
/// (needs root and mount rights: here and in CI; null elsewhere, and the test skips saying why), <see cref="MakeReadOnly"/>
/// remounts it read-only (chmod does not stop root), Dispose unmounts it.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private readonly TempDirectory _directory;

    private TmpfsMount(TempDirectory directory) => _directory = directory;

    public string Path => _directory.Path;

    public const string SkipReason = "needs root and mount(8) to mount a tmpfs (a small or read-only file system); not permitted here";

    public static TmpfsMount? TryCreate(int sizeMb)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/mount")) return null;
        var directory = new TempDirectory("darknet-tmpfs");
        if (Run("/bin/mount", "-t", "tmpfs", "-o", "size=" + sizeMb + "m", "tmpfs", directory.Path)) return new TmpfsMount(directory);
        directory.Dispose();
        return null;
    }

    public void MakeReadOnly()
    {
        if (!Run("/bin/mount", "-o", "remount,ro", Path)) throw new InvalidOperationException("could not remount " + Path + " read-only");
    }

    public void Dispose()
    {
        Run("/bin/umount", "-l", Path);
        _directory.Dispose();
    }

    private static bool Run(string file, params string[] arguments)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments) psi.ArgumentList.Add(argument);
            using var process = Process.Start(psi)!;
            process.WaitForExit(30_000);
            return process.HasExited && process.ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
        {
            return false;
        }
    }
}
