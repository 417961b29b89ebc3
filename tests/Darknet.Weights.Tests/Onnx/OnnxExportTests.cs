using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;

namespace Darknet.Weights.Tests.Onnx;

public sealed class OnnxExportTests
{
    private const string CheckScript = """
        import sys, onnx
        model = onnx.load(sys.argv[1])
        onnx.checker.check_model(model, full_check=True)
        def dims(v):
            return ",".join(d.dim_param or str(d.dim_value) for d in v.type.tensor_type.shape.dim)
        print("opset", model.opset_import[0].version)
        for v in model.graph.input: print("input", v.name, dims(v))
        for v in model.graph.output: print("output", v.name, dims(v))
        """;

    [SkippableTheory]
    [InlineData("yolov3-tiny.cfg", 96, "input input N,3,H,W", "output yolo_16 N,255,yolo_16_h,yolo_16_w|output yolo_23 N,255,yolo_23_h,yolo_23_w")]
    [InlineData("yolov2-tiny-voc.cfg", 96, "input input N,3,H,W", "output region_15 N,125,region_15_h,region_15_w")]
    [InlineData("../cfg-alexeyab/yolov4-tiny.cfg", 96, "input input N,3,H,W", "output yolo_30 N,255,yolo_30_h,yolo_30_w|output yolo_37 N,255,yolo_37_h,yolo_37_w")]
    [InlineData("alexnet.cfg", 163, "input input N,3,163,163", "output softmax_13 N,1000,1,1")]
    [InlineData("yolov1-tiny.cfg", 96, "input input N,3,96,96", "output detection_15 N,1470,1,1")]
    public void Onnx_checker_accepts_the_model_with_symbolic_sizes_unless_connected(string cfg, int size, string input, string outputs)
    {
        Reference.RequirePythonModule("onnx", "python3-onnx");
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, SharedFiles.RequireCfg(cfg), size, size);
        OnnxExporter.ExportFile(network.CfgPath, network.WeightsPath, network.OnnxPath);
        var printed = Darknet.Testing.Numpy.RunScript(CheckScript, network.OnnxPath).Replace("\r", "").Trim().Split('\n');
        Assert.Equal("opset 13", printed[0]);
        Assert.Equal(input, printed[1]);
        Assert.Equal(outputs, string.Join("|", printed.Skip(2)));
    }

    [SkippableFact]
    public void A_model_exported_at_one_size_runs_at_another_like_darknet_does()
    {
        DarknetLibrary.Require();
        using var exported = new TempDirectory();
        using var other = new TempDirectory();
        var cfg = SharedFiles.RequireCfg("yolov3-tiny.cfg");
        var atExport = new TestNetwork(exported, cfg, 160, 96);
        OnnxExporter.ExportFile(atExport.CfgPath, atExport.WeightsPath, atExport.OnnxPath);

        var atRun = new TestNetwork(other, cfg, 64, 128); // same seed: the same weights, another size
        var outputs = OnnxRun.Run(atExport.OnnxPath, atRun.Input, 3, 128, 64);
        foreach (var (name, shape, values) in outputs)
        {
            int layer = int.Parse(name.Substring(name.LastIndexOf('_') + 1));
            Assert.Equal(new[] { 1, 255, 128 / (layer == 16 ? 32 : 16), 64 / (layer == 16 ? 32 : 16) }, shape);
            var expected = DarknetLibrary.Predict(atRun.CfgEndingAt(layer), atRun.WeightsPath, atRun.Input, values.Length);
            Assert.True(OnnxRun.MaxRelativeError(values, expected) <= MatchesDarknetTests.Tolerance);
        }
    }

    [SkippableTheory]
    [InlineData("yolo9000.cfg", "line 217: [region] tree= (YOLO9000's word tree: the softmax runs over each group of the tree file")]
    public void Upstream_cfgs_it_cannot_express_fail_naming_the_section(string cfg, string message)
    {
        using var temp = new TempDirectory();
        var output = temp.File("model.onnx");
        var e = Assert.Throws<DarknetException>(() => OnnxExporter.ExportFile(SharedFiles.RequireCfg(cfg), temp.File("absent.weights"), output));
        Assert.Equal(ErrorCodes.UnsupportedLayer, e.Code);
        Assert.Contains(message, e.Message);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("[convolutional]\nfilters=4\nsize=3\nactivation=stair\n", "line 8: [convolutional] activation=stair cannot be exported")]
    [InlineData("[convolutional]\nfilters=4\nsize=3\ndilation=2\nactivation=leaky\n", "line 8: [convolutional] dilation=2")]
    [InlineData("[convolutional]\nfilters=4\nsize=3\nactivation=LEAKY\n", "line 8: [convolutional] activation=LEAKY cannot be exported")]
    [InlineData("[deconvolutional]\nfilters=4\nsize=2\nstride=2\n", "line 5: [deconvolutional] layers cannot be exported to ONNX")]
    [InlineData("[upsample]\nstride=-2\n", "line 5: [upsample] stride=-2 (downsampling) cannot be exported")]
    [InlineData("[maxpool]\nsize=2\nstride=2\nmaxpool_depth=1\n", "line 8: [maxpool] maxpool_depth=1 (a max across channels, not lowered")]
    [InlineData("[convolutional]\nfilters=4\nsize=1\n[convolutional]\nfilters=4\nsize=1\n[shortcut]\nfrom=-1,-2\n", "line 12: [shortcut] from= with several layers (AlexeyAB's multi-input shortcut")]
    [InlineData("[convolutional]\nfilters=4\nsize=1\n[convolutional]\nfilters=4\nsize=1\n[shortcut]\nfrom=-2\nweights_type=per_channel\n",
        "line 13: [shortcut] weights_type=per_channel (AlexeyAB's weighted shortcut, not lowered")]
    [InlineData("[convolutional]\nfilters=4\nsize=3\npad=1\nbinary=1\n", "line 9: [convolutional] binary=1 (darknet's CPU forward pass uses the float weights once")]
    [InlineData("[convolutional]\nfilters=3\nsize=1\n[convolutional]\nfilters=3\nsize=1\nshare_index=0\n", "line 11: [convolutional] share_index= (another layer's weights")]
    [InlineData("[convolutional]\nfilters=8\nsize=1\n[reorg3d]\nstride=2\nreverse=1\n", "line 10: [reorg3d] reverse=1 (forward_reorg_layer then hands reorg_cpu the output's sizes")]
    [InlineData("[reorg]\nstride=2\nflatten=1\n", "line 7: [reorg] flatten=1 (pjreddie's reorg then transposes")]
    [InlineData("[avgpool]\n[softmax]\ntree=data/9k.tree\n", "line 7: [softmax] tree= (YOLO9000's word tree")]
    [InlineData("[convolutional]\nfilters=255\nsize=1\n[yolo]\nmask=0,1,2\nnum=3\nclasses=80\n[contrastive]\nyolo_layer=-1\n[convolutional]\nfilters=4\nsize=1\n",
        "line 14: [convolutional] reads the output of layer 2 ([contrastive]), which darknet's CPU forward pass leaves at zero")]
    public void Options_it_cannot_express_fail_with_DKN1005_naming_them(string layers, string message)
    {
        using var temp = new TempDirectory();
        var cfg = temp.File("net.cfg");
        File.WriteAllText(cfg, "[net]\nwidth=32\nheight=32\nchannels=3\n" + layers);
        var e = Assert.Throws<DarknetException>(() => OnnxExporter.ExportFile(cfg, temp.File("absent.weights"), temp.File("model.onnx")));
        Assert.Equal(ErrorCodes.UnsupportedLayer, e.Code);
        Assert.Contains("net.cfg, " + message, e.Message);
    }

    [Fact]
    public void A_detection_layer_whose_grid_does_not_fit_its_input_fails_with_DKN1004_at_side()
    {
        using var temp = new TempDirectory();
        var cfg = temp.File("v1.cfg");
        File.WriteAllText(cfg, "[net]\nwidth=8\nheight=8\nchannels=3\n[connected]\noutput=100\n[detection]\nclasses=3\ncoords=4\nnum=2\nside=3\n");
        var e = Assert.Throws<DarknetException>(() => OnnxExporter.ExportFile(cfg, temp.File("absent.weights"), temp.File("model.onnx")));
        Assert.Equal(ErrorCodes.BadSize, e.Code);
        Assert.Contains("v1.cfg, line 11: [detection] side=3, coords=4, num=2 and classes=3 need side²·((1 + coords)·num + classes) = 117 inputs, but the layer before gives 100", e.Message);
    }

    [Fact]
    public void A_mask_past_num_exports_the_layers_but_refuses_to_decode_boxes_with_DKN1005()
    {
        // cspx-p7-mish's last head: mask=16,17,18,19 with num=16, where darknet reads past its 2·num biases.
        using var temp = new TempDirectory();
        var layout = NetworkLayout.FromCfg(
            "[net]\nwidth=32\nheight=32\nchannels=3\n[convolutional]\nfilters=14\nsize=1\nactivation=linear\n" +
            "[yolo]\nmask=2,3\nanchors=1,2, 3,4, 5,6, 7,8\nnum=2\nclasses=2\n", "past.cfg");
        var weights = temp.File("w.weights");
        SyntheticWeights.WriteFile(weights, layout.FloatCount());

        DarknetConverter.ConvertFile(layout, weights, temp.File("layers.onnx"), new ConversionOptions { Format = OutputFormat.Onnx });
        Assert.True(File.Exists(temp.File("layers.onnx")));

        var boxes = temp.File("boxes.onnx");
        var e = Assert.Throws<DarknetException>(() => DarknetConverter.ConvertFile(layout, weights, boxes,
            new ConversionOptions { Format = OutputFormat.Onnx, Onnx = new OnnxExportOptions { Outputs = OnnxOutputs.Boxes } }));
        Assert.Equal(ErrorCodes.UnsupportedLayer, e.Code);
        Assert.Contains("past.cfg, line 9: [yolo] mask=2,3 names anchors outside 0..1 (num=2)", e.Message);
        Assert.False(File.Exists(boxes));
    }

    [Theory]
    [InlineData("boxes")]
    [InlineData("detections")]
    public void A_yolov1_detection_layer_exports_its_layers_only(string kind)
    {
        var outputs = kind == "boxes" ? OnnxOutputs.Boxes : OnnxOutputs.Detections;
        var layout = NetworkLayout.FromCfg("[net]\nwidth=8\nheight=8\nchannels=3\n[connected]\noutput=117\n[detection]\nclasses=3\ncoords=4\nnum=2\nside=3\n", "v1.cfg");
        Assert.NotNull(GraphBuilder.Build(layout, new OnnxExportOptions()));
        var e = Assert.Throws<DarknetException>(() => GraphBuilder.Build(layout, new OnnxExportOptions { Outputs = outputs }));
        Assert.Equal(ErrorCodes.UnsupportedLayer, e.Code);
        Assert.Contains("v1.cfg, line 7: [detection] (YOLOv1) boxes are not decoded in the graph", e.Message);
    }

    [Fact]
    public void A_recurrent_layer_fails_with_DKN1007_at_its_section()
    {
        using var temp = new TempDirectory();
        var cfg = temp.File("rnn.cfg");
        File.WriteAllText(cfg, "[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=4\nsize=1\n[crnn]\nsize=3\npad=1\noutput=4\nhidden=4\nactivation=leaky\n");
        var e = Assert.Throws<DarknetException>(() => OnnxExporter.ExportFile(cfg, temp.File("absent.weights"), temp.File("model.onnx")));
        Assert.Equal(ErrorCodes.RecurrentNotExportable, e.Code);
        Assert.Contains("rnn.cfg, line 8: [crnn] is a recurrent layer: darknet keeps its state from one image to the next", e.Message);
    }

    [Fact]
    public void The_layout_alone_is_what_the_exporter_reads()
    {
        using var temp = new TempDirectory();
        var layout = NetworkLayout.FromCfg("[net]\nwidth=8\nheight=8\n[convolutional]\nfilters=2\nsize=1\n", "tiny.cfg");
        var weights = temp.File("w.weights");
        SyntheticWeights.WriteFile(weights, layout.FloatCount());
        var result = DarknetConverter.ConvertFile(layout, weights, temp.File("m.onnx"), new ConversionOptions { Format = OutputFormat.Onnx });
        Assert.Equal(1, result.LayersWritten);
        Assert.True(File.Exists(temp.File("m.onnx")));
    }

    [Theory]
    [InlineData("[region]\nclasses=3\nnum=2\nsoftmax=1\n", "region_3")]
    [InlineData("[avgpool]\n[softmax]\ngroups=2\n", "softmax_4")]
    public void A_batch_of_two_gives_each_images_own_outputs(string head, string output)
    {
        using var temp = new TempDirectory();
        var source = temp.File("batch.cfg");
        File.WriteAllText(source, "[net]\nwidth=16\nheight=12\nchannels=3\n" +
            "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\npad=1\nactivation=leaky\n[reorg]\nstride=2\n" +
            "[convolutional]\nfilters=16\nsize=1\nactivation=linear\n" + head);
        var network = new TestNetwork(temp, source, network: true);
        OnnxExporter.ExportFile(network.CfgPath, network.WeightsPath, network.OnnxPath);
        var second = network.Input.Select(v => 1 - v).ToArray();
        var one = Assert.Single(OnnxRun.Run(network.OnnxPath, network.Input, 3, 12, 16));
        var two = Assert.Single(OnnxRun.Run(network.OnnxPath, second, 3, 12, 16));
        var both = Assert.Single(OnnxRun.Run(network.OnnxPath, network.Input.Concat(second).ToArray(), 3, 12, 16, batch: 2));
        Assert.Equal(output, both.Name);
        Assert.Equal(2, both.Shape[0]);
        int n = one.Values.Length;
        Assert.Equal(one.Values, both.Values.Take(n), new ToleranceComparer());
        Assert.Equal(two.Values, both.Values.Skip(n), new ToleranceComparer());
        Assert.NotEqual(one.Values, two.Values, new ToleranceComparer());
    }

    private sealed class ToleranceComparer : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(b));

        public int GetHashCode(float value) => 0;
    }

    [Fact]
    public void Weights_that_run_short_fail_before_any_output_exists()
    {
        using var temp = new TempDirectory();
        var cfg = temp.File("two.cfg");
        File.WriteAllText(cfg, TestCfgs.TwoConvs);
        var weights = temp.File("two.weights");
        SyntheticWeights.WriteFile(weights, 60); // the cfg needs 67
        var output = temp.File("two.onnx");
        var e = Assert.Throws<DarknetException>(() => OnnxExporter.ExportFile(cfg, weights, output));
        Assert.Equal(ErrorCodes.WeightsTooShort, e.Code);
        Assert.Empty(Directory.GetFiles(temp.Path, "*onnx*"));
    }
}
