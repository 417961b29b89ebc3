using Darknet.Weights.Tests.Conversion;
using Xunit;

namespace Darknet.Weights.Tests.Cli;

/// <summary>
/// A small tmpfs mounted on a fresh folder (a full or read-only disk on demand); skips with a message where mounting is
/// not permitted (not root, no CAP_SYS_ADMIN). Unmounted on dispose.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private readonly TempDirectory _parent = new TempDirectory();

    public TmpfsMount(string options)
    {
        Posix.RequireLinux();
        Path = _parent.File("mnt");
        Directory.CreateDirectory(Path);
        var (exit, error) = Posix.TryRun("mount", "-t", "tmpfs", "-o", options, "tmpfs", Path);
        if (exit != 0) _parent.Dispose();
        Skip.If(exit != 0, $"cannot mount a tmpfs here ({error.Trim()}): needs root or CAP_SYS_ADMIN");
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Posix.TryRun("umount", "--lazy", Path);
        _parent.Dispose();
    }
}
