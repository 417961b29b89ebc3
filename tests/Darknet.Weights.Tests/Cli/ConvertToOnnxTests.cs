using Darknet.Weights.Tests.Conversion;
using Darknet.Weights.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace Darknet.Weights.Tests.Cli;

public sealed class ConvertToOnnxTests
{
    [Fact]
    public void FormatOnnxWritesAModelOnnxRuntimeRuns()
    {
        using var dir = new TempDirectory();
        var cfg = dir.File("two.cfg");
        File.WriteAllText(cfg, TestCfgs.TwoConvs);
        var weights = dir.File("two.weights");
        SyntheticWeights.WriteFile(weights, 67);
        var output = dir.File("two.onnx");

        var (exit, stdout, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", output, "--format", "onnx");

        Assert.True(exit == 0, stderr);
        Assert.Contains(output, stdout);
        using var session = new InferenceSession(output);
        Assert.Equal(new[] { "input" }, session.InputMetadata.Keys);
        Assert.Single(session.OutputMetadata);
    }

    [Fact]
    public void FormatOnnxForABuiltInModelNeedsTheCfg()
    {
        using var dir = new TempDirectory();
        var (exit, _, stderr) = CliRunner.Run("convert", "--model", "yolov3", "--weights_dir", dir.Path, "--save_dir", dir.Path, "--format", "onnx");
        Assert.NotEqual(0, exit);
        Assert.Contains(ErrorCodes.OnnxNeedsCfg, stderr);
    }

    [Fact]
    public void AnUnknownFormatNamesTheKnownOnes()
    {
        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", "a.cfg", "--weights", "a.weights", "--out", "a.x", "--format", "h5");
        Assert.Equal(2, exit);
        Assert.Contains("--format is npy, npz, onnx or safetensors, not 'h5'", stderr);
    }
}
