using Darknet.Testing;
using Darknet.Weights.IO;
using Darknet.Weights.Layout;
using Darknet.Weights.Tests.Conversion;
using Xunit;

namespace Darknet.Weights.Tests.Cli;

/// <summary>
/// A full or read-only disk is a coded error with nothing left behind (issue 7, Must 10), on a real small tmpfs (skipped
/// with a message where mounting is not permitted). The core maps it in <see cref="AtomicFile"/>, so the build, which
/// calls the same converter, gets the same code.
/// </summary>
public class DiskFullTests
{
    /// <summary>One BN conv 256→1024 (3×3): 2,363,392 floats, a 9.5 MB output: twice what the 5 MB tmpfs holds.</summary>
    private const string BigConv = """
        [net]
        height=8
        width=8
        channels=256

        [convolutional]
        batch_normalize=1
        filters=1024
        size=3
        stride=1
        pad=1
        activation=leaky
        """;

    private static (TempDirectory Dir, string Cfg, string Weights) BigConvFiles()
    {
        var dir = new TempDirectory();
        var cfg = dir.File("big.cfg");
        File.WriteAllText(cfg, BigConv);
        var weights = dir.File("big.weights");
        SyntheticWeights.WriteFile(weights, NetworkLayout.FromCfg(BigConv, "big.cfg").FloatCount());
        return (dir, cfg, weights);
    }

    [SkippableFact]
    public void TheCliSaysDiskFullWithHowMuchToFreeAndLeavesNothing()
    {
        using var small = new TmpfsMount("size=5m");
        var (dir, cfg, weights) = BigConvFiles();
        using var _ = dir;
        var output = small.File("big.npy");

        var (exit, stdout, stderr) = CliRunner.RunProcess("convert", "--cfg", cfg, "--weights", weights, "--out", output);

        Assert.Equal(1, exit);
        Assert.StartsWith($"darknet: DKN2010: disk full while writing {output}; it needs 10 MB and ", stderr);
        Assert.Contains("free at least", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Empty(stdout);
        Assert.Empty(Directory.GetFileSystemEntries(small.Path));
    }

    [SkippableFact]
    public void TheConverterTheBuildCallsThrowsDiskFullAndKeepsTheOldOutput()
    {
        using var small = new TmpfsMount("size=5m");
        var (dir, cfg, weights) = BigConvFiles();
        using var _ = dir;
        var output = small.File("big.npy");
        File.WriteAllText(output, "the previous output");

        var e = Assert.Throws<DarknetException>(() =>
            DarknetConverter.ConvertFile(NetworkLayout.FromCfgFile(cfg), weights, output, new ConversionOptions()));

        Assert.Equal(ErrorCodes.DiskFull, e.Code);
        Assert.IsAssignableFrom<IOException>(e.InnerException);
        Assert.Equal("the previous output", File.ReadAllText(output));
        Assert.Equal(new[] { output }, Directory.GetFileSystemEntries(small.Path));
    }

    [SkippableFact]
    public void AReadOnlyFolderNamesTheFileNotItsTemp()
    {
        using var readOnly = new TmpfsMount("size=1m,ro");
        var (dir, cfg, weights) = BigConvFiles();
        using var _ = dir;
        var output = readOnly.File("big.npy");

        var (exit, _, stderr) = CliRunner.RunProcess("convert", "--cfg", cfg, "--weights", weights, "--out", output);

        Assert.Equal(1, exit);
        Assert.Equal($"darknet: DKN2008: cannot write {output}: {readOnly.Path} is on a read-only file system\n", stderr);
    }
}
