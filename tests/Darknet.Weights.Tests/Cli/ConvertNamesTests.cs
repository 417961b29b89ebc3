using System.Text.Json;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Darknet.Weights.Tests.Conversion;
using Darknet.Weights.Tests.Labels;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Cli;

/// <summary><c>darknet convert … --format onnx --names FILE</c>.</summary>
public sealed class ConvertNamesTests
{
    [Fact]
    public void Names_replace_a_built_in_models_own()
    {
        using var dir = new TempDirectory();
        var model = ModelCatalog.Find("yolov3-tiny")!;
        SyntheticWeights.WriteFile(dir.File(model.WeightsFileName), model.Layout.FloatCount());
        var translated = Enumerable.Range(0, 80).Select(i => "klasse " + i).ToArray();
        File.WriteAllLines(dir.File("de.names"), translated);

        var (exit, _, stderr) = CliRunner.Run("convert", "--model", "yolov3-tiny", "--weights_dir", dir.Path, "--save_dir", dir.Path,
            "--format", "onnx", "--names", dir.File("de.names"));

        Assert.True(exit == 0, stderr);
        using var session = new InferenceSession(dir.File("yolov3-tiny.onnx"));
        Assert.Equal(translated, JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap["names"]));
    }

    [Fact]
    public void A_count_other_than_the_classes_is_DKN1008_naming_both_and_the_file()
    {
        using var dir = new TempDirectory();
        var (cfg, weights) = WriteNetwork(dir);
        File.WriteAllText(dir.File("obj.names"), "cat\ndog\nbird\n");
        var output = dir.File("two.onnx");

        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", output, "--format", "onnx", "--names", dir.File("obj.names"));

        Assert.Equal(1, exit);
        Assert.Contains("darknet: DKN1008: " + dir.File("obj.names") + " holds 3 names, but the network has classes=2 in [yolo] layer 2", stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_missing_names_file_is_DKN1006_and_nothing_is_written()
    {
        using var dir = new TempDirectory();
        var (cfg, weights) = WriteNetwork(dir);
        var output = dir.File("two.onnx");

        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", output, "--format", "onnx", "--names", dir.File("nope.names"));

        Assert.Equal(1, exit);
        Assert.Contains("darknet: DKN1006: names file not found: " + dir.File("nope.names"), stderr);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("npy")]
    [InlineData("npz")]
    [InlineData("safetensors")]
    public void Names_without_onnx_are_a_usage_error(string format)
    {
        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", "a.cfg", "--weights", "a.weights", "--out", "a.x", "--format", format, "--names", "obj.names");
        Assert.Equal(2, exit);
        Assert.Contains("DKN2009: convert: --names goes with --format onnx", stderr);
    }

    [Fact]
    public void The_output_never_overwrites_the_names_file()
    {
        using var dir = new TempDirectory();
        var (cfg, weights) = WriteNetwork(dir);
        var names = dir.File("obj.names");
        File.WriteAllText(names, "cat\ndog\n");

        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", names, "--format", "onnx", "--names", names);

        Assert.Equal(1, exit);
        Assert.Contains(ErrorCodes.OutputIsAnInput, stderr);
        Assert.Contains("the --names file", stderr);
        Assert.Equal("cat\ndog\n", File.ReadAllText(names));
    }

    private static (string Cfg, string Weights) WriteNetwork(TempDirectory dir)
    {
        var cfg = dir.File("two.cfg");
        File.WriteAllText(cfg, NamesCfgs.YoloTwoClasses);
        var weights = dir.File("two.weights");
        SyntheticWeights.WriteFile(weights, NetworkLayout.FromCfgFile(cfg).FloatCount());
        return (cfg, weights);
    }
}
