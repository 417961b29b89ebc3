using System.Diagnostics;
using Xunit;

namespace Darknet.Testing;

/// <summary>
/// A small tmpfs mounted on a fresh folder (a full or read-only disk on demand) for the disk-full and read-only tests;
/// skips with a message where mounting is not permitted (not Linux, not root, no CAP_SYS_ADMIN). Unmounted on dispose.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private readonly string _parent;

    /// <param name="options">mount -o options, e.g. <c>size=5m</c> or <c>size=1m,ro</c>.</param>
    public TmpfsMount(string options)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "tmpfs needs Linux");
        _parent = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "darknet-tmpfs-" + Guid.NewGuid().ToString("N").Substring(0, 10));
        Path = System.IO.Path.Combine(_parent, "mnt");
        Directory.CreateDirectory(Path);
        var (exit, error) = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", Path);
        if (exit != 0) Directory.Delete(_parent, recursive: true);
        Skip.If(exit != 0, $"cannot mount a tmpfs here ({error.Trim()}): needs root or CAP_SYS_ADMIN");
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Remounts it read-only: chmod would not stop root, a read-only file system does.</summary>
    public void MakeReadOnly()
    {
        var (exit, error) = Run("mount", "-o", "remount,ro", Path);
        if (exit != 0) throw new InvalidOperationException($"could not remount {Path} read-only: {error.Trim()}");
    }

    public void Dispose()
    {
        Run("umount", "--lazy", Path);
        try { Directory.Delete(_parent, recursive: true); } catch (IOException) { }
    }

    private static (int Exit, string Error) Run(string tool, params string[] args)
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
