using Darknet.Weights.IO;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.IO;

/// <summary>The publish mechanism's temp stream: early writeback changes when bytes reach the disk, never which bytes.</summary>
public class WritebackFileTests
{
    [Fact]
    public void WritesExactlyWhatItIsGivenAcrossWritebackStepsAndSeeks()
    {
        using var dir = new TempDirectory();
        var path = dir.File("big.bin");
        var expected = new byte[2 * WritebackFile.WritebackStep + 12345];
        new Random(7).NextBytes(expected);

        using (var file = WritebackFile.CreateNew(path))
        {
            // Odd-sized writes, small and large (past the 64 KiB buffer), so writeback requests fall mid-buffer.
            int at = 0;
            var sizes = new[] { 1, 100, 70_000, 3, 1 << 20, 5 };
            for (int k = 0; at < expected.Length; k++)
            {
                int n = Math.Min(sizes[k % sizes.Length], expected.Length - at);
                file.Write(expected, at, n);
                at += n;
            }
            // A header patched afterwards (as a zip writer does): the range written back before is written again.
            file.Position = 10;
            expected[10] ^= 0xFF;
            file.WriteByte(expected[10]);
            file.Position = expected.Length;
            file.FlushToDisk();
            Assert.Equal(expected.Length, file.Length);
        }

        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void AReservationChangesNeitherTheLengthNorTheBytes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("reserved.bin");
        var expected = new byte[WritebackFile.WritebackStep + 4321];
        new Random(3).NextBytes(expected);

        using (var file = WritebackFile.CreateNew(path, reserve: expected.Length - 100))
        {
            // Space set aside, not written: a reader of the temp sees no zeros nobody wrote.
            Assert.Equal(0, new FileInfo(path).Length);
            file.Write(expected, 0, expected.Length);
            file.FlushToDisk();
        }

        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void NeverReplacesAnExistingFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("taken");
        File.WriteAllText(path, "mine");

        Assert.Throws<IOException>(() => WritebackFile.CreateNew(path).Dispose());
        Assert.Throws<IOException>(() => WritebackFile.CreateNew(path, reserve: 1 << 20).Dispose());
        Assert.Equal("mine", File.ReadAllText(path));
    }
}
