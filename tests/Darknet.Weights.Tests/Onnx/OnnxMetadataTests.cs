using System.Text.Json;
using Darknet.Testing;
using Darknet.Weights.Labels;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Darknet.Weights.Tests.Cli;
using Darknet.Weights.Tests.Conversion;
using Darknet.Weights.Tests.Labels;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>The ONNX model's metadata_props as ONNX Runtime and python3-onnx read them: class names, class count, input size, output kind.</summary>
public sealed class OnnxMetadataTests
{
    /// <summary>Names a JSON writer must escape, and some it must not mangle.</summary>
    private const string TrickyNames = "traffic \"light\"\nC:\\path\\name\n猫 Männchen\ttab\n\n";

    [SkippableFact]
    public void A_built_in_yolov3_tiny_export_carries_cocos_80_names()
    {
        var coco = File.ReadAllLines(SharedFiles.RequireData("coco.names"));
        using var dir = new TempDirectory();
        var model = ModelCatalog.Find("yolov3-tiny")!;
        SyntheticWeights.WriteFile(dir.File(model.WeightsFileName), model.Layout.FloatCount());

        var (exit, _, stderr) = CliRunner.Run("convert", "--model", "yolov3-tiny", "--weights_dir", dir.Path, "--save_dir", dir.Path, "--format", "onnx");
        Assert.True(exit == 0, stderr);

        var path = dir.File("yolov3-tiny.onnx");
        var metadata = MetadataOf(path);
        Assert.Equal(new[] { "classes", "input_size", "names", "outputs" }, metadata.Keys.Order());
        Assert.Equal(coco, JsonSerializer.Deserialize<string[]>(metadata["names"]));
        Assert.Equal("80", metadata["classes"]);
        Assert.Equal("416x416", metadata["input_size"]);
        Assert.Equal("layers", metadata["outputs"]);
        PythonOnnxAgrees(path, metadata);
    }

    [SkippableFact]
    public void A_custom_cfg_export_carries_the_names_file_it_is_given_escaped()
    {
        using var dir = new TempDirectory();
        var cfg = dir.File("two.cfg");
        File.WriteAllText(cfg, NamesCfgs.YoloTwoClasses.Replace("classes=2", "classes=4").Replace("filters=21", "filters=27"));
        var names = dir.File("obj.names");
        File.WriteAllText(names, TrickyNames);
        var weights = dir.File("two.weights");
        SyntheticWeights.WriteFile(weights, NetworkLayout.FromCfgFile(cfg).FloatCount());
        var output = dir.File("two.onnx");

        var (exit, _, stderr) = CliRunner.Run("convert", "--cfg", cfg, "--weights", weights, "--out", output, "--format", "onnx", "--names", names);
        Assert.True(exit == 0, stderr);

        var metadata = MetadataOf(output);
        Assert.Equal(new[] { "traffic \"light\"", "C:\\path\\name", "猫 Männchen\ttab", "" }, JsonSerializer.Deserialize<string[]>(metadata["names"]));
        Assert.Equal("4", metadata["classes"]);
        Assert.Equal("32x24", metadata["input_size"]);
        Assert.Equal("layers", metadata["outputs"]);
        PythonOnnxAgrees(output, metadata);
    }

    /// <summary>Without names: the size and output kind always, the class count where detection layers give one.</summary>
    [Theory]
    [InlineData(NamesCfgs.YoloTwoClasses, "classes=2 input_size=32x24 outputs=layers")]
    [InlineData(TestCfgs.TwoConvs, "input_size=8x8 outputs=layers")]
    public void Without_names_the_metadata_has_no_names(string cfgText, string expected)
    {
        using var dir = new TempDirectory();
        var layout = NetworkLayout.FromCfg(cfgText, "x.cfg");
        var weights = dir.File("x.weights");
        SyntheticWeights.WriteFile(weights, layout.FloatCount());
        var output = dir.File("x.onnx");

        DarknetConverter.ConvertFile(layout, weights, output, new ConversionOptions { Format = OutputFormat.Onnx });

        var metadata = MetadataOf(output);
        Assert.Equal(expected, string.Join(" ", metadata.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + e.Value)));
    }

    [Fact]
    public void Names_that_do_not_fit_are_DKN1008_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var layout = NetworkLayout.FromCfg(NamesCfgs.YoloTwoClasses, "two.cfg");
        var weights = dir.File("two.weights");
        SyntheticWeights.WriteFile(weights, layout.FloatCount());
        var output = dir.File("two.onnx");
        var names = ClassNames.Parse("a\nb\nc\n"u8.ToArray(), 6, "obj.names");

        var e = Assert.Throws<DarknetException>(() =>
            DarknetConverter.ConvertFile(layout, weights, output, new ConversionOptions { Format = OutputFormat.Onnx, ClassNames = names }));

        Assert.Equal(ErrorCodes.BadNames, e.Code);
        Assert.Contains("obj.names holds 3 names, but the network has classes=2", e.Message);
        Assert.Equal(new[] { weights }, Directory.GetFiles(dir.Path));
    }

    private static Dictionary<string, string> MetadataOf(string path)
    {
        using var session = new InferenceSession(path);
        return new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap);
    }

    /// <summary>python3-onnx reads the same metadata_props (names parsed by python's json), and its checker accepts the model.</summary>
    private static void PythonOnnxAgrees(string path, Dictionary<string, string> metadata)
    {
        Skip.If(!Darknet.Testing.Numpy.CanImport("onnx") && Environment.GetEnvironmentVariable("CI") != "true", "python3-onnx is not installed");
        var printed = Darknet.Testing.Numpy.RunScript("""
            import json, sys, onnx
            model = onnx.load(sys.argv[1])
            onnx.checker.check_model(model)
            props = {p.key: p.value for p in model.metadata_props}
            props["names"] = json.loads(props["names"])
            print(json.dumps(props, sort_keys=True, ensure_ascii=True))
            """, path);
        var expected = metadata.ToDictionary(e => e.Key, e => e.Key == "names" ? (object)JsonSerializer.Deserialize<string[]>(e.Value)! : e.Value);
        var fromPython = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(printed.Trim())!;
        Assert.Equal(expected.Keys.Order(), fromPython.Keys.Order());
        foreach (var (key, value) in expected)
        {
            if (value is string[] list) Assert.Equal(list, fromPython[key].EnumerateArray().Select(v => v.GetString()!));
            else Assert.Equal(value, fromPython[key].GetString());
        }
    }
}
