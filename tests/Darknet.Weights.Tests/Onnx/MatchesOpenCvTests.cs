using Darknet.Testing;
using Darknet.Weights.Config;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// AlexeyAB cfgs (mish, route groups, scale_x_y, YOLOv4), which Debian's darknet cannot load, against OpenCV's Darknet
/// importer. OpenCV's [yolo] layer outputs decoded boxes rather than darknet's layer tensor, so the comparison takes
/// OpenCV's output of the layer feeding each [yolo] and applies darknet's yolo activation to it (logistic on x, y,
/// objectness and classes, then x·s − (s − 1)/2 for scale_x_y), the transform the darknet comparisons prove.
/// </summary>
public sealed class MatchesOpenCvTests
{
    private readonly ITestOutputHelper _output;

    public MatchesOpenCvTests(ITestOutputHelper output) => _output = output;

    [SkippableTheory]
    [InlineData("yolov4-tiny.cfg", 128, 96)]
    [InlineData("yolov4.cfg", 128, 128)]
    [InlineData("yolov3-tiny-prn.cfg", 128, 96)]
    [InlineData("yolov4-csp.cfg", 128, 128)]
    [InlineData("yolov7-tiny.cfg", 128, 128)]
    [InlineData("yolov7.cfg", 64, 64)]
    [InlineData("efficientnet_b0.cfg", 64, 64)]
    [InlineData("enet-coco.cfg", 128, 128)]
    [InlineData("yolov4-csp-x-swish.cfg", 64, 64)]
    [InlineData("yolov3-tiny_3l.cfg", 96, 64)]
    [InlineData("csresnext50-panet-spp.cfg", 64, 64)]
    [InlineData("vgg-conv.cfg", 64, 64)]
    public void Every_output_equals_opencvs(string cfg, int width, int height)
    {
        OpenCvDarknet.Require();
        var cfgPath = Path.Combine(Path.GetDirectoryName(SharedFiles.RequireCfgDirectory())!, "cfg-alexeyab", cfg);
        Skip.IfNot(File.Exists(cfgPath), cfgPath + " is missing");
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, cfgPath, width, height);
        OnnxExporter.ExportFile(network.CfgPath, network.WeightsPath, network.OnnxPath);
        AssertEveryOutputEqualsOpenCvs(network, network.OnnxPath, temp.Path, _output);
    }

    /// <summary>
    /// Runs <paramref name="onnxPath"/> in ONNX Runtime on <paramref name="network"/>'s input and compares every output
    /// with OpenCV's Darknet importer on <paramref name="network"/>'s cfg and weights ([yolo] outputs through the conv
    /// that feeds them, with darknet's yolo activation applied).
    /// </summary>
    internal static void AssertEveryOutputEqualsOpenCvs(TestNetwork network, string onnxPath, string folder, ITestOutputHelper log)
    {
        var outputs = OnnxRun.Run(onnxPath, network.Input, network.Layout.Channels, network.Height, network.Width);
        Assert.NotEmpty(outputs);

        var sections = CfgReader.ReadFile(network.CfgPath);
        // A [yolo] output is compared through the conv that feeds it, a conv output after its activation, a [maxpool]
        // output (vgg-conv's) as OpenCV's pool_i; any other output (a classifier's softmax) as it is.
        var feeding = outputs.Select(o => o.Name.StartsWith("yolo_")
            ? OpenCvName(sections, int.Parse(o.Name.Substring(o.Name.LastIndexOf('_') + 1)) - 1)
            : o.Name.StartsWith("conv_") ? OpenCvName(sections, int.Parse(o.Name.Substring(o.Name.LastIndexOf('_') + 1)))
            : o.Name.Replace("maxpool_", "pool_")).ToArray();
        var expected = OpenCvDarknet.Forward(network, folder, feeding);
        for (int k = 0; k < outputs.Count; k++)
        {
            var (name, shape, values) = outputs[k];
            var reference = name.StartsWith("yolo_")
                ? YoloActivation(expected[k], shape, sections[int.Parse(name.Substring(name.LastIndexOf('_') + 1)) + 1])
                : expected[k];
            var error = OnnxRun.MaxRelativeError(values, reference);
            log.WriteLine($"{network.Name} {name} [{string.Join(",", shape)}] vs OpenCV {feeding[k]}: max relative error {error:E2} (max |value| {reference.Max(Math.Abs):G4})");
            Assert.True(error <= MatchesDarknetTests.Tolerance, $"{network.Name} {name}: max relative error {error:E3} exceeds {MatchesDarknetTests.Tolerance}");
        }
    }

    // OpenCV names conv i's output conv_i when linear, else after its activation layer, numbered i + 1 (mish_5 for conv 4).
    private static string OpenCvName(IReadOnlyList<CfgSection> sections, int layer)
    {
        var section = sections[layer + 1];
        Assert.Equal("convolutional", section.Name.ToLowerInvariant());
        var activation = section.GetString("activation") ?? "logistic";
        return activation == "linear" ? $"conv_{layer}" : $"{activation}_{layer + 1}";
    }

    private static float[] YoloActivation(float[] raw, int[] shape, CfgSection yolo)
    {
        int classes = yolo.GetInt("classes", 20), entries = 5 + classes, plane = shape[2] * shape[3];
        bool newCoords = yolo.GetInt("new_coords", 0) != 0;
        var s = float.Parse(yolo.GetString("scale_x_y") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var result = new float[raw.Length];
        for (int c = 0; c < shape[1]; c++)
        {
            int entry = c % entries;
            for (int i = 0; i < plane; i++)
            {
                double v = raw[c * plane + i];
                if (!newCoords && entry != 2 && entry != 3) v = 1 / (1 + Math.Exp(-v));
                if (entry < 2) v = v * s - 0.5 * (s - 1);
                result[c * plane + i] = (float)v;
            }
        }
        return result;
    }
}
