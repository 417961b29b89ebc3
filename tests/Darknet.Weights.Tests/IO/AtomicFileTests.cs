using Darknet.Weights.IO;
using Darknet.Weights.Tests.Cli;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.IO;

/// <summary>
/// The core's refusal to rename over anything but a regular file (so every writer, CLI or build, is covered), and the
/// file type and identity it relies on, checked against coreutils' <c>stat</c>.
/// </summary>
public class AtomicFileTests
{
    [SkippableFact]
    public void FileStatusAgreesWithStatOnTypeAndInode()
    {
        Posix.RequireLinux();
        using var dir = new TempDirectory();
        var file = dir.File("file");
        File.WriteAllText(file, "x");
        var link = dir.File("link");
        File.CreateSymbolicLink(link, "file");
        var fifo = dir.File("fifo");
        Posix.MakeFifo(fifo);
        Posix.HardLink(file, dir.File("hard"));

        Assert.Equal(FileKind.Regular, FileStatus.Of(file, followLinks: false).Kind);
        Assert.Equal(FileKind.Directory, FileStatus.Of(dir.Path, followLinks: false).Kind);
        Assert.Equal(FileKind.SymbolicLink, FileStatus.Of(link, followLinks: false).Kind);
        Assert.Equal(FileKind.Regular, FileStatus.Of(link, followLinks: true).Kind);
        Assert.Equal(FileKind.Other, FileStatus.Of(fifo, followLinks: false).Kind);
        Assert.Equal(FileKind.Missing, FileStatus.Of(dir.File("none"), followLinks: false).Kind);
        Assert.Equal(FileKind.Missing, FileStatus.Of(Path.Combine(file, "under-a-file"), followLinks: false).Kind);

        var status = FileStatus.Of(file, followLinks: true);
        Assert.True(status.HasIdentity);
        Assert.Equal(Posix.IdentityOf(file).Split(':')[1], status.Inode.ToString());
        Assert.True(status.IsSameFile(FileStatus.Of(dir.File("hard"), followLinks: true)));
        Assert.True(status.IsSameFile(FileStatus.Of(link, followLinks: true)));
        Assert.False(status.IsSameFile(FileStatus.Of(fifo, followLinks: true)));
        if (File.Exists("/dev/null")) Assert.Equal("a character device", FileStatus.Of("/dev/null", followLinks: true).TypeName);
    }

    [SkippableFact]
    public void WriteRefusesAFifoASymlinkAndADeviceAndKeepsThem()
    {
        Posix.RequireLinux();
        using var dir = new TempDirectory();
        var fifo = dir.File("fifo");
        Posix.MakeFifo(fifo);
        File.WriteAllText(dir.File("target"), "kept");
        var link = dir.File("link");
        File.CreateSymbolicLink(link, "target");
        var device = dir.File("null");
        var canMknod = Posix.TryRun("mknod", device, "c", "1", "3").Exit == 0;

        foreach (var path in canMknod ? new[] { fifo, link, device } : new[] { fifo, link })
        {
            bool called = false;
            var e = Assert.Throws<DarknetException>(() => AtomicFile.Write(path, _ => called = true));
            Assert.Equal(ErrorCodes.OutputNotARegularFile, e.Code);
            Assert.False(called, "refused before anything is written");
        }

        Assert.Equal("fifo", Posix.TypeOf(fifo));
        Assert.Equal("symbolic link", Posix.TypeOf(link));
        Assert.Equal("kept", File.ReadAllText(dir.File("target")));
        if (canMknod) Assert.Equal("character special file", Posix.TypeOf(device));
        Assert.Equal(canMknod ? 4 : 3, Directory.GetFileSystemEntries(dir.Path).Length); // no temp left
    }

    [SkippableFact]
    public void PublishRefusesAFifoThatAppearedWhileTheTempWasWritten()
    {
        Posix.RequireLinux();
        using var dir = new TempDirectory();
        var final = dir.File("model.npy");
        var temp = TempFiles.PathFor(final);
        File.WriteAllText(temp, "new");
        Posix.MakeFifo(final);

        var e = Assert.Throws<DarknetException>(() => AtomicFile.Publish(temp, final));

        Assert.Equal(ErrorCodes.OutputNotARegularFile, e.Code);
        Assert.Equal("fifo", Posix.TypeOf(final));
    }

    [Fact]
    public void WriteReplacesARegularFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.npy");
        File.WriteAllText(path, "old");

        AtomicFile.WriteAllText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }
}
