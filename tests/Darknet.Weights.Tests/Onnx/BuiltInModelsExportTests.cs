using System.Globalization;
using System.Security.Cryptography;
using Darknet.Testing;
using Darknet.Weights.Config;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// Built-in models export to ONNX from their description in code, which is the upstream cfg in everything the exporter
/// reads: the same graph node for node, the same bytes for the same weights, and darknet's own output on the upstream cfg.
/// </summary>
public sealed class BuiltInModelsExportTests
{
    private readonly ITestOutputHelper _output;

    public BuiltInModelsExportTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Runnable => new[]
    {
        new object[] { "yolov3", "yolov3.cfg" },
        new object[] { "yolov3-tiny", "yolov3-tiny.cfg" },
        new object[] { "yolov3-spp", "yolov3-spp.cfg" },
        new object[] { "yolov3-openimages", "yolov3-openimages.cfg" },
        new object[] { "darknet53_448", "darknet53_448.cfg" },
        new object[] { "yolov2", "yolov2.cfg" },
        new object[] { "yolov4", "../cfg-alexeyab/yolov4.cfg" },
        new object[] { "yolov4-tiny", "../cfg-alexeyab/yolov4-tiny.cfg" },
        new object[] { "yolov4-csp", "../cfg-alexeyab/yolov4-csp.cfg" },
        new object[] { "yolov4x-mish", "../cfg-alexeyab/yolov4x-mish.cfg" },
        new object[] { "yolov7-tiny", "../cfg-alexeyab/yolov7-tiny.cfg" },
        new object[] { "yolov7", "../cfg-alexeyab/yolov7.cfg" },
        new object[] { "yolov2-tiny", "yolov2-tiny.cfg" },
    };

    /// <summary>Runnable, but its cfg is not in ../shared (only in AlexeyAB's repository): no upstream graph to compare with in CI.</summary>
    private const string Yolov7x = "yolov7x";

    [Fact]
    public void Every_built_in_exports_except_the_partial_files_which_say_why()
    {
        var runnable = Runnable.Select(r => (string)r[0]).Append(Yolov7x).ToHashSet();
        foreach (var model in ModelCatalog.All)
        {
            if (runnable.Contains(model.Name))
            {
                Assert.Null(model.NotRunnable);
                Assert.Same(model.Layout, model.LayoutFor(OutputFormat.Onnx));
                continue;
            }
            Assert.Contains(model.Name, new[] { "yolov3_feat", "darknet53.conv.74", "yolov4.conv.137" });
            Assert.Same(model.Layout, model.LayoutFor(OutputFormat.Npy));
            var e = Assert.Throws<DarknetException>(() => model.LayoutFor(OutputFormat.Onnx));
            Assert.Equal(ErrorCodes.NoRunnableNetwork, e.Code);
            Assert.StartsWith(model.Name + " cannot be exported to ONNX: it is ", e.Message);
        }
        Assert.Equal(runnable.Count, ModelCatalog.All.Count(m => m.NotRunnable == null));
    }

    /// <summary>
    /// Full size, no weights needed: the graph (every node with its inputs, outputs and attributes, every constant, every
    /// weight slot's name and shape, the input and outputs) from the built-in description equals the one from the
    /// upstream cfg, and so do the heads' anchors, masks and the rest, which decoding boxes needs.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Runnable))]
    public void The_built_in_description_gives_the_upstream_cfgs_graph(string name, string upstreamCfg)
    {
        var model = ModelCatalog.Find(name)!;
        var upstream = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg(upstreamCfg));

        var expected = Describe(GraphBuilder.Build(upstream));
        var actual = Describe(GraphBuilder.Build(model.Layout));
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        _output.WriteLine($"{name}: {expected.Count} graph entries equal");

        Assert.Equal(Heads(upstream), Heads(model.Layout));
    }

    /// <summary>
    /// yolov7x's graph builds from its description with no weights: one output per [yolo] layer (255 channels: 3 anchors ×
    /// 85, any input size), and one weight slot per convolution.
    /// </summary>
    [Fact]
    public void Yolov7x_builds_a_graph_with_its_three_heads()
    {
        var graph = GraphBuilder.Build(ModelCatalog.Find(Yolov7x)!.Layout);

        Assert.Equal(new[] { 150, 154, 158 }.Select(i => $"yolo_{i} N,255,yolo_{i}_h,yolo_{i}_w"),
            graph.Outputs.Select(o => o.Name + " " + string.Join(",", o.Dims)));
        Assert.Equal(108, graph.WeightSlots.Count);
    }

    /// <summary>The small ones end to end at full size: the same synthetic weights give byte-identical ONNX files.</summary>
    [SkippableTheory]
    [InlineData("yolov3-tiny", "yolov3-tiny.cfg")]
    [InlineData("yolov4-tiny", "../cfg-alexeyab/yolov4-tiny.cfg")]
    [InlineData("yolov7-tiny", "../cfg-alexeyab/yolov7-tiny.cfg")]
    [InlineData("yolov2-tiny", "yolov2-tiny.cfg")]
    public void The_built_in_export_is_byte_identical_to_the_upstream_cfgs(string name, string upstreamCfg)
    {
        var cfg = SharedFiles.RequireCfg(upstreamCfg);
        Skip.IfNot(File.Exists(cfg), $"{cfg} is absent");
        var model = ModelCatalog.Find(name)!;
        using var temp = new TempDirectory();
        var weights = temp.File(model.WeightsFileName);
        SyntheticWeights.WriteFile(weights, model.Layout.FloatCount());

        var fromUpstream = temp.File("upstream.onnx");
        OnnxExporter.ExportFile(cfg, weights, fromUpstream);
        var builtIn = temp.File("built-in.onnx");
        DarknetConverter.ConvertFile(model.Layout, weights, builtIn, new ConversionOptions { Format = OutputFormat.Onnx });

        Assert.Equal(new FileInfo(fromUpstream).Length, new FileInfo(builtIn).Length);
        Assert.Equal(Sha256(fromUpstream), Sha256(builtIn));
    }

    /// <summary>The built-in yolov3-tiny, exported with no cfg given, run by ONNX Runtime against darknet on the upstream cfg.</summary>
    [SkippableFact]
    public void The_built_in_yolov3_tiny_computes_what_darknet_computes()
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, SharedFiles.RequireCfg("yolov3-tiny.cfg"), 128, 96); // darknet runs the upstream cfg
        var model = ModelCatalog.Find("yolov3-tiny")!;
        DarknetConverter.ConvertFile(model.Layout, network.WeightsPath, network.OnnxPath, new ConversionOptions { Format = OutputFormat.Onnx });

        var outputs = OnnxRun.Run(network.OnnxPath, network.Input, 3, 96, 128);
        Assert.Equal(new[] { "yolo_16", "yolo_23" }, outputs.Select(o => o.Name));
        foreach (var (name, shape, values) in outputs)
        {
            int layer = int.Parse(name.Substring(name.LastIndexOf('_') + 1), CultureInfo.InvariantCulture);
            Assert.Equal(new[] { 1, 255, 96 / (layer == 16 ? 32 : 16), 128 / (layer == 16 ? 32 : 16) }, shape);
            var expected = DarknetLibrary.Predict(network.CfgEndingAt(layer), network.WeightsPath, network.Input, values.Length);
            var error = OnnxRun.MaxRelativeError(values, expected);
            _output.WriteLine($"built-in yolov3-tiny {name}: max relative error {error:E2}");
            Assert.True(error <= MatchesDarknetTests.Tolerance, $"{name}: max relative error {error:E3}");
        }
    }

    /// <summary>
    /// Built-ins darknet (pjreddie's) cannot load, exported with no cfg given, run by ONNX Runtime against OpenCV's Darknet
    /// importer on the upstream cfg at a small input size (new_coords=1 heads, scale_x_y=2, ELAN and CSP routes).
    /// </summary>
    [SkippableTheory]
    [InlineData("yolov7-tiny", "yolov7-tiny.cfg", 128, 96)]
    [InlineData("yolov4-csp", "yolov4-csp.cfg", 96, 64)]
    public void The_built_in_export_computes_what_opencv_computes_on_the_upstream_cfg(string name, string upstreamCfg, int width, int height)
    {
        OpenCvDarknet.Require();
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, SharedFiles.RequireAlexeyAbCfg(upstreamCfg), width, height); // OpenCV reads the upstream cfg
        var model = ModelCatalog.Find(name)!;
        DarknetConverter.ConvertFile(model.Layout, network.WeightsPath, network.OnnxPath, new ConversionOptions { Format = OutputFormat.Onnx });

        MatchesOpenCvTests.AssertEveryOutputEqualsOpenCvs(network, network.OnnxPath, temp.Path, _output);
    }

    /// <summary>The built-in yolov2-tiny ([region] head), exported with no cfg given, against darknet on the upstream cfg.</summary>
    [SkippableFact]
    public void The_built_in_yolov2_tiny_computes_what_darknet_computes()
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, SharedFiles.RequireCfg("yolov2-tiny.cfg"), 128, 96);
        var model = ModelCatalog.Find("yolov2-tiny")!;
        DarknetConverter.ConvertFile(model.Layout, network.WeightsPath, network.OnnxPath, new ConversionOptions { Format = OutputFormat.Onnx });

        var (output, shape, values) = Assert.Single(OnnxRun.Run(network.OnnxPath, network.Input, 3, 96, 128));
        Assert.Equal("region_15", output);
        Assert.Equal(new[] { 1, 425, 3, 4 }, shape);
        var expected = DarknetLibrary.Predict(network.CfgPath, network.WeightsPath, network.Input, values.Length);
        var error = OnnxRun.MaxRelativeError(values, expected);
        _output.WriteLine($"built-in yolov2-tiny {output}: max relative error {error:E2}");
        Assert.True(error <= MatchesDarknetTests.Tolerance, $"{output}: max relative error {error:E3}");
    }

    private static List<string> Heads(NetworkLayout layout)
    {
        static string Numbers(IEnumerable<float> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        return layout.Layers.Where(l => l.Head != null).Select(l => l.Head!).Select(h =>
            $"mask={(h.Mask == null ? "-" : string.Join(",", h.Mask))} anchors={Numbers(h.Anchors)} classes={h.Classes} num={h.Num} coords={h.Coords} " +
            $"softmax={h.Softmax} scale_x_y={h.ScaleXY.ToString("R", CultureInfo.InvariantCulture)} new_coords={h.NewCoords} background={h.Background}").ToList();
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    private static List<string> Describe(OnnxGraph graph)
    {
        static string Dims(IEnumerable<object> dims) => string.Join(",", dims);
        var lines = new List<string> { "input " + graph.Input.Name + " " + Dims(graph.Input.Dims) };
        lines.AddRange(graph.Outputs.Select(o => "output " + o.Name + " " + Dims(o.Dims)));
        lines.AddRange(graph.Nodes.Select(n => $"{n.OpType} {n.Name} ({string.Join(",", n.Inputs)}) -> ({string.Join(",", n.Outputs)}) " +
            string.Join(" ", n.Attributes.Select(a => $"{a.Name}={a.Type}:{a.IntValue}:{a.FloatValue.ToString("R", CultureInfo.InvariantCulture)}:{a.StringValue}:{string.Join(",", a.IntsValue)}"))));
        lines.AddRange(graph.Constants.Select(c => $"const {c.Name} [{string.Join(",", c.Dims)}] " +
            (c.Floats != null ? "f " + string.Join(",", c.Floats.Select(f => f.ToString("R", CultureInfo.InvariantCulture))) : "i " + string.Join(",", c.Int64s!))));
        lines.AddRange(graph.WeightSlots.Select(s => $"slot {s.Kind} {s.WeightsName} [{string.Join(",", s.WeightsDims)}] {s.BiasName} [{string.Join(",", s.BiasDims)}]"));
        return lines;
    }
}
