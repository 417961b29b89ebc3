using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Numpy;
using Darknet.Weights.Tests.Conversion;
using Xunit;

namespace Darknet.Weights.Tests.Cli;

public class ConvertCommandTests
{
    private static void NoTrace(string stderr) => Assert.DoesNotContain("   at ", stderr);

    private static (TempDirectory Dir, string Cfg, string Weights) TwoConvFiles(long floats)
    {
        var dir = new TempDirectory();
        var cfg = dir.File("two.cfg");
        File.WriteAllText(cfg, TestCfgs.TwoConvs);
        var weights = dir.File("two.weights");
        SyntheticWeights.WriteFile(weights, floats);
        return (dir, cfg, weights);
    }

    [Fact]
    public void NoCommandPrintsUsageAndExits2()
    {
        var (exit, _, stderr) = CliRunner.Run();
        Assert.Equal(2, exit);
        Assert.Contains("darknet convert --model", stderr);
    }

    [Fact]
    public void UnknownCommandExits2()
    {
        var (exit, _, stderr) = CliRunner.Run("frobnicate");
        Assert.Equal(2, exit);
        Assert.StartsWith("darknet: DKN2009: unknown command 'frobnicate'", stderr);
    }

    [Theory]
    [InlineData("--bogus", "x")]
    [InlineData("--cfg", "a.cfg", "--weights", "a.weights")]
    [InlineData("--cfg", "a.cfg", "--weights", "a.weights", "--out", "a.npy", "--format", "h5")]
    [InlineData("--cfg", "a.cfg", "--weights", "a.weights", "--out", "a.npy", "--layers", "many")]
    [InlineData("--model", "yolov3", "--weights_dir", "w")]
    [InlineData("--model", "yolov3", "--cfg", "a.cfg", "--weights_dir", "w", "--save_dir", "s")]
    [InlineData("--cfg")]
    [InlineData()]
    public void UsageErrorsExit2(params string[] args)
    {
        var (exit, _, stderr) = CliRunner.Run(new[] { "convert" }.Concat(args).ToArray());
        Assert.Equal(2, exit);
        Assert.StartsWith("darknet: DKN2009: convert: ", stderr);
        Assert.Contains("usage:", stderr);
        NoTrace(stderr);
    }

    /// <summary>The words convert's flags are refused with, spellings of one flag counting as that flag.</summary>
    [Theory]
    [InlineData("convert: unknown option '--bogus'", "--bogus", "x")]
    [InlineData("convert: unknown option '--bogus'", "--bogus=x")]
    [InlineData("convert: unexpected argument 'stray'", "--cfg", "a.cfg", "stray")]
    [InlineData("convert: --out needs a value", "--cfg", "a.cfg", "--out")]
    [InlineData("convert: -o given twice", "--cfg", "a.cfg", "--out", "a.npy", "-o", "b.npy")]
    [InlineData("convert: --save-dir given twice", "--model", "yolov3", "--save_dir", "s", "--save-dir", "t")]
    [InlineData("convert: --allow-http given twice", "--allow-http", "--allow-http")]
    public void UsageErrorsSayWhichFlag(string message, params string[] args)
    {
        var (exit, _, stderr) = CliRunner.Run(new[] { "convert" }.Concat(args).ToArray());
        Assert.Equal(2, exit);
        Assert.StartsWith("darknet: DKN2009: " + message + "\n", stderr.Replace("\r\n", "\n"));
    }

    [Fact]
    public void UnknownModelIsAUsageErrorWithItsCode()
    {
        var (exit, _, stderr) = CliRunner.Run("convert", "--model", "resnet9000", "--weights_dir", ".", "--save_dir", ".");
        Assert.Equal(2, exit);
        Assert.Contains("darknet: DKN2007:", stderr);
        Assert.Contains("resnet9000", stderr);
    }

    [Fact]
    public void ConvertsACfgAndPrintsASummary()
    {
        var (dir, cfg, weights) = TwoConvFiles(67);
        using var _ = dir;
        var output = dir.File("two.npy");

        var (exit, stdout, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains("converted 2 layers (67 floats", stdout);
        Assert.Contains(output, stdout);
        Assert.Equal(2, ModelFileReader.ReadFile(output).Count);
    }

    [Fact]
    public void LayersAndFormatFlags()
    {
        var (dir, cfg, weights) = TwoConvFiles(67);
        using var _ = dir;
        var output = dir.File("two.npz");

        var (exit, stdout, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out=" + output, "--layers", "1", "--format", "npz");

        Assert.True(exit == 0, stderr);
        Assert.Contains("converted 1 layers (10 floats", stdout);
        Assert.Single(ModelFileReader.ReadFile(output));
    }

    [Fact]
    public void ProgramDispatchesInspectOnWhatConvertWrote()
    {
        var (dir, cfg, weights) = TwoConvFiles(67);
        using var _ = dir;
        var output = dir.File("two.npy");
        Assert.Equal(0, CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", output).Exit);

        var (exit, stdout, stderr) = CliRunner.Run("inspect", output);

        Assert.True(exit == 0, stderr);
        var names = Darknet.Weights.Naming.LayerNaming.NamesFor(NetworkLayout.FromCfgFile(cfg));
        Assert.Contains(names[0] + "  weights (1, 1, 1, 2)", stdout);
        Assert.Contains(names[1] + "  weights (3, 3, 2, 3)", stdout);
        Assert.Equal(2, CliRunner.Run("inspect").Exit);
    }

    [Fact]
    public void ShortWeightsExit1WithCodeAndLeaveNoOutput()
    {
        var (dir, cfg, weights) = TwoConvFiles(30);
        using var _ = dir;
        var output = dir.File("two.npy");

        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", output);

        Assert.Equal(1, exit);
        Assert.StartsWith("darknet: DKN2003: ", stderr);
        Assert.Contains("holds only 30 floats", stderr);
        Assert.False(File.Exists(output));
        NoTrace(stderr);
    }

    [Fact]
    public void HtmlWeightsExit1()
    {
        var (dir, cfg, weights) = TwoConvFiles(67);
        using var _ = dir;
        File.WriteAllText(weights, "<!DOCTYPE html><html></html>");

        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", dir.File("two.npy"));

        Assert.Equal(1, exit);
        Assert.Contains("DKN2002", stderr);
        Assert.Contains("HTML page", stderr);
    }

    [Fact]
    public void MissingFilesExit1WithTheirCodes()
    {
        var (dir, cfg, weights) = TwoConvFiles(67);
        using var _ = dir;

        var noCfg = CliRunner.Run("convert", "--cfg", dir.File("none.cfg"), "--weights", weights, "--out", dir.File("a.npy"));
        var noWeights = CliRunner.Run("convert", "--cfg", cfg, "--weights", dir.File("none.weights"), "--out", dir.File("a.npy"));

        Assert.Equal((1, 1), (noCfg.Exit, noWeights.Exit));
        Assert.Contains("DKN1006", noCfg.Stderr);
        Assert.Contains("DKN2006", noWeights.Stderr);
    }

    [Fact]
    public void ADirectoryAsOutIsRefusedBeforeAnythingIsWritten()
    {
        var (dir, cfg, weights) = TwoConvFiles(67);
        using var _ = dir;
        var target = dir.File("out");
        Directory.CreateDirectory(target);

        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", target);

        Assert.Equal(1, exit);
        Assert.StartsWith("darknet: DKN2008: the output path is a directory: ", stderr);
        Assert.Empty(Directory.GetFileSystemEntries(target));
        Assert.Equal(new[] { cfg, weights }.Order(), Directory.GetFiles(dir.Path).Order());
        NoTrace(stderr);
    }

    [Fact]
    public void AWeightsFileAsCfgIsRefusedAsBinaryWithoutReadingIt()
    {
        var (dir, cfg, weights) = TwoConvFiles(67);
        using var _ = dir;
        var big = dir.File("big.weights");
        using (var file = File.Create(big)) file.SetLength(200_000_000); // sparse, like a real .weights in size

        var asCfg = CliRunner.Run("convert", "--cfg", big, "--weights", weights, "--out", dir.File("a.npy"));
        var small = CliRunner.Run("convert", "--cfg", weights, "--weights", weights, "--out", dir.File("b.npy"));

        Assert.Equal((1, 1), (asCfg.Exit, small.Exit));
        Assert.StartsWith("darknet: DKN1001: big.weights: is 200,000,000 bytes, not a cfg", asCfg.Stderr);
        Assert.StartsWith("darknet: DKN1001: two.weights, line 1: a NUL byte", small.Stderr);
        Assert.True(asCfg.Stderr.Length + small.Stderr.Length < 400);
        Assert.False(File.Exists(dir.File("a.npy")) || File.Exists(dir.File("b.npy")));
    }

    [SkippableFact]
    public void AnEndlessDeviceAsWeightsIsNotAWeightsFile()
    {
        Skip.IfNot(File.Exists("/dev/zero"), "no /dev/zero on this system");
        var (dir, cfg, _) = TwoConvFiles(67);
        using var _ = dir;

        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", "/dev/zero", "--out", dir.File("z.npy"));

        Assert.Equal(1, exit);
        Assert.StartsWith("darknet: DKN2002: /dev/zero is not a regular file", stderr);
        Assert.False(File.Exists(dir.File("z.npy")));
    }

    [Fact]
    public void UnwritableOutputIsAClearErrorNotATrace()
    {
        var (dir, cfg, weights) = TwoConvFiles(67);
        using var _ = dir;
        var blocker = dir.File("file");
        File.WriteAllText(blocker, "a file where a directory should be");

        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", Path.Combine(blocker, "two.npy"));

        Assert.Equal(1, exit);
        Assert.StartsWith("darknet: DKN2008: ", stderr);
        Assert.Contains("is a file, not a folder", stderr);
        NoTrace(stderr);
    }

    [SkippableFact]
    public void RealProcessConvertsACfg()
    {
        var cfg = SharedFiles.RequireCfg("yolov3-tiny.cfg");
        var layout = NetworkLayout.FromCfgFile(cfg);
        using var dir = new TempDirectory();
        var weights = dir.File("yolov3-tiny.weights");
        SyntheticWeights.WriteFile(weights, layout.FloatCount());
        var output = dir.File("tiny.npy");

        var (exit, stdout, stderr) = CliRunner.RunProcess("convert", "--cfg", cfg, "--weights", weights, "--out", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains("converted 13 layers (8,858,734 floats", stdout);
        Assert.Equal(13, ModelFileReader.ReadFile(output).Count);

        var failed = CliRunner.RunProcess("convert", "--cfg", cfg, "--weights", cfg, "--out", dir.File("bad.npy"));
        Assert.Equal(1, failed.Exit);
        Assert.StartsWith("darknet: DKN", failed.Stderr);
        NoTrace(failed.Stderr);
        Assert.Equal(2, CliRunner.RunProcess().Exit);
    }
}
