using Darknet.Weights.Tests.Conversion;
using Darknet.Weights.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Darknet.Testing;

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
    public void FormatOnnxForABuiltInModelWritesItsGraphFromTheModelsDescription()
    {
        using var dir = new TempDirectory();
        var model = Darknet.Weights.Models.ModelCatalog.Find("yolov3-tiny")!;
        SyntheticWeights.WriteFile(dir.File(model.WeightsFileName), model.Layout.FloatCount());

        var (exit, stdout, stderr) = CliRunner.Run("convert", "--model", "yolov3-tiny", "--weights_dir", dir.Path, "--save_dir", dir.Path, "--format", "onnx");

        Assert.True(exit == 0, stderr);
        var output = dir.File("yolov3-tiny.onnx");
        Assert.Contains(output, stdout);
        using var session = new InferenceSession(output);
        Assert.Equal(new[] { "input" }, session.InputMetadata.Keys);
        Assert.Equal(new[] { "yolo_16", "yolo_23" }, session.OutputMetadata.Keys);
    }

    [Theory]
    [InlineData("darknet53.conv.74", "partial backbone")]
    [InlineData("yolov4.conv.137", "partial backbone")]
    [InlineData("yolov3_feat", "the runnable network is darknet53_448")]
    public void FormatOnnxForAPartialBuiltInFileSaysWhyNot(string model, string why)
    {
        using var dir = new TempDirectory();
        var (exit, _, stderr) = CliRunner.Run("convert", "--model", model, "--weights_dir", dir.Path, "--save_dir", dir.Path, "--format", "onnx");
        Assert.NotEqual(0, exit);
        Assert.Contains(ErrorCodes.NoRunnableNetwork, stderr);
        Assert.Contains(why, stderr);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AnUnknownFormatNamesTheKnownOnes()
    {
        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", "a.cfg", "--weights", "a.weights", "--out", "a.x", "--format", "h5");
        Assert.Equal(2, exit);
        Assert.Contains("--format is npy, npz, onnx or safetensors, not 'h5'", stderr);
    }
}
