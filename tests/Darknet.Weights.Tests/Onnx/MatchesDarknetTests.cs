using Darknet.Testing;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// Every output of the exported model, run by ONNX Runtime, equals darknet's own output for the same layer on the same
/// input (Debian's libdarknet.so) within 1e-4 relative, for upstream cfgs at a small input size with synthetic weights.
/// </summary>
public sealed class MatchesDarknetTests
{
    public const double Tolerance = 1e-4;
    private readonly ITestOutputHelper _output;

    public MatchesDarknetTests(ITestOutputHelper output) => _output = output;

    [SkippableTheory]
    [InlineData("yolov3-tiny.cfg", 160, 96)]
    [InlineData("yolov3.cfg", 128, 96)]
    [InlineData("yolov3-spp.cfg", 128, 128)]
    [InlineData("darknet53_448.cfg", 64, 64)]
    [InlineData("yolov2.cfg", 128, 96)]
    [InlineData("yolov2-tiny-voc.cfg", 96, 128)]
    [InlineData("darknet19.cfg", 64, 64)]
    [InlineData("tiny.cfg", 64, 64)]
    [InlineData("extraction.cfg", 64, 64)]
    [InlineData("resnet50.cfg", 64, 64)]
    [InlineData("densenet201.cfg", 64, 64)]
    [InlineData("alexnet.cfg", 163, 163)]
    [InlineData("yolov1-tiny.cfg", 96, 64)]
    [InlineData("../cfg-alexeyab/t1.test.cfg", 64, 96)]
    [InlineData("../cfg-alexeyab/yolov3-tiny_xnor.cfg", 128, 96)]
    [InlineData("../cfg-alexeyab/cifar.cfg", 32, 32)]
    public void Every_output_equals_darknets(string cfg, int width, int height)
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, SharedFiles.RequireCfg(cfg), width, height);
        OnnxExporter.ExportFile(network.CfgPath, network.WeightsPath, network.OnnxPath);

        var outputs = OnnxRun.Run(network.OnnxPath, network.Input, network.Layout.Channels, height, width);
        Assert.NotEmpty(outputs);
        foreach (var (name, shape, values) in outputs)
        {
            int layer = int.Parse(name.Substring(name.LastIndexOf('_') + 1));
            var info = network.Layout.Layers[layer];
            Assert.Equal(new[] { 1, info.OutputChannels, info.OutputHeight, info.OutputWidth }, shape);
            var expected = DarknetLibrary.Predict(network.CfgEndingAt(layer), network.WeightsPath, network.Input, values.Length);
            var error = OnnxRun.MaxRelativeError(values, expected);
            _output.WriteLine($"{network.Name} {name} [{string.Join(",", shape)}]: max relative error {error:E2} (max |value| {expected.Max(Math.Abs):G4})");
            Assert.True(error <= Tolerance, $"{network.Name} {name}: max relative error {error:E3} exceeds {Tolerance}");
            if (name.StartsWith("softmax_")) CompareBeforeSoftmax(network, layer - 1);
        }
    }

    // A softmax over 1000 classes can be flat or saturated, either of which hides errors in the logits: the cfg cut
    // after the layer before it is exported too and its output compared as well.
    private void CompareBeforeSoftmax(TestNetwork network, int layer)
    {
        var cfg = network.CfgEndingAt(layer);
        var onnx = Path.ChangeExtension(cfg, ".onnx");
        var weights = Path.ChangeExtension(cfg, ".weights"); // the exporter wants exactly the cut network's floats
        using (var all = File.OpenRead(network.WeightsPath))
        using (var cut = File.Create(weights))
        {
            var bytes = new byte[20 + 4 * Darknet.Weights.Layout.NetworkLayout.FromCfgFile(cfg).FloatCount()];
            all.ReadExactly(bytes);
            cut.Write(bytes);
        }
        OnnxExporter.ExportFile(cfg, weights, onnx);
        var (name, shape, values) = Assert.Single(OnnxRun.Run(onnx, network.Input, network.Layout.Channels, network.Height, network.Width));
        var expected = DarknetLibrary.Predict(cfg, weights, network.Input, values.Length);
        var error = OnnxRun.MaxRelativeError(values, expected);
        _output.WriteLine($"{network.Name} {name} [{string.Join(",", shape)}] (before the softmax): max relative error {error:E2} (max |value| {expected.Max(Math.Abs):G4})");
        Assert.True(error <= Tolerance, $"{network.Name} {name}: max relative error {error:E3} exceeds {Tolerance}");
    }

    /// <summary>samples/HelloOnnx's own model and weights (what the sample's build exports) against darknet.</summary>
    [SkippableFact]
    public void The_HelloOnnx_samples_model_equals_darknets()
    {
        DarknetLibrary.Require();
        var model = FindUp(Path.Combine("samples", "HelloOnnx", "model"));
        using var temp = new TempDirectory();
        var cfg = Path.Combine(model, "hello.cfg");
        var weights = Path.Combine(model, "hello.weights");
        var onnx = temp.File("hello.onnx");
        OnnxExporter.ExportFile(cfg, weights, onnx);
        var input = new float[3 * 32 * 32];
        var random = new Random(5);
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble();

        var (name, shape, values) = Assert.Single(OnnxRun.Run(onnx, input, 3, 32, 32));
        Assert.Equal("softmax_5", name);
        Assert.Equal(new[] { 1, 10, 1, 1 }, shape);
        var expected = DarknetLibrary.Predict(cfg, weights, input, values.Length);
        var error = OnnxRun.MaxRelativeError(values, expected);
        _output.WriteLine($"HelloOnnx {name}: max relative error {error:E2}");
        Assert.True(error <= Tolerance, $"max relative error {error:E3}");
    }

    private static string FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new DirectoryNotFoundException(relative + " above " + AppContext.BaseDirectory);
    }
}
