using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Xunit;

namespace Darknet.Weights.Tests.Layout;

/// <summary>
/// The converter and the ONNX exporter read one description of the network: a default planted in it moves both, and
/// the exporter's weight tensors are the converter's blocks, for every cfg there is.
/// </summary>
public class OneModelTests
{
    // No size=: darknet's default (1) decides the kernel; pad=1 makes the padding follow it (size/2).
    private const string Cfg = "[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=4\npad=1\nactivation=leaky\n[maxpool]\n";

    [Fact]
    public void A_default_planted_in_the_description_moves_the_converter_and_the_exporter_alike()
    {
        var standard = NetworkLayout.FromCfg(Cfg, "t.cfg");
        var planted = NetworkLayout.FromCfg(Cfg, "t.cfg", DarknetDefaults.Standard.With("convolutional", "size", "3"));

        Assert.Equal(4 + 4 * 3 * 1 * 1, standard.FloatCount());
        Assert.Equal(4 + 4 * 3 * 3 * 3, planted.FloatCount());
        Assert.Equal(DarknetConverter.ExpectedFileSize(standard, 20, null) + 4 * 4 * 3 * 8, DarknetConverter.ExpectedFileSize(planted, 20, null));
        Assert.Equal((1, 0), Kernel(GraphBuilder.Build(standard)));
        Assert.Equal((3, 1), Kernel(GraphBuilder.Build(planted)));

        // A derived default follows the value it derives from: maxpool size = stride, padding = size − 1.
        var pool = NetworkLayout.FromCfg(Cfg, "t.cfg", DarknetDefaults.Standard.With("maxpool", "stride", "4")).Layers[1];
        Assert.Equal((4, 4, 3, 2), (pool.Size, pool.Stride, pool.Padding, pool.OutputWidth));
    }

    [Fact]
    public void Every_option_read_has_its_default_written_down()
    {
        var e = Assert.Throws<InvalidOperationException>(() => DarknetDefaults.Standard.Of("convolutional", "no_such_option"));
        Assert.Contains("no darknet default", e.Message);
        Assert.Equal("logistic", DarknetDefaults.Standard.Of("convolutional", "activation"));
        Assert.Equal("2", DarknetDefaults.Standard.Of("upsample", "stride"));
    }

    public static IEnumerable<object[]> Cfgs() =>
        SharedFiles.CfgFileNames().Select(n => new object[] { "cfg", n })
            .Concat(SharedFiles.AlexeyAbCfgFileNames().Select(n => new object[] { "cfg-alexeyab", n }));

    /// <summary>
    /// Where the exporter builds a graph, each weight tensor it declares is one of the converter's blocks, in file order
    /// and of the same shape (the seed's (k, k, in, out) is ONNX's (out, in, k, k) transposed).
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Cfgs))]
    public void The_exporters_weight_tensors_are_the_converters_blocks(string folder, string cfgName)
    {
        var path = Path.Combine(Path.GetDirectoryName(SharedFiles.RequireCfgDirectory())!, folder, cfgName);
        var layout = NetworkLayout.FromCfgFile(path);
        OnnxGraph graph;
        try
        {
            graph = GraphBuilder.Build(layout);
        }
        catch (DarknetException e) when (e.Code == ErrorCodes.UnsupportedLayer || e.Code == ErrorCodes.RecurrentNotExportable)
        {
            return; // a network the exporter refuses: the refusals are tested where the exporter is
        }
        Assert.Equal(layout.Blocks.Count, graph.WeightSlots.Count);
        for (int i = 0; i < layout.Blocks.Count; i++)
        {
            var block = layout.Blocks[i];
            var slot = graph.WeightSlots[i];
            var weights = block.Arrays[0].Shape;
            long[] expected = block.Kind switch
            {
                BlockKind.Convolutional => new long[] { weights[3], weights[2], weights[0], weights[1] },
                // Gemm takes B as (outputs, inputs) with transB=1, as the converter's (inputs, outputs) transposed
                BlockKind.Connected => new long[] { weights[1], weights[0] },
                BlockKind.BatchNorm => new long[] { block.Filters, 1, 1 },
                _ => throw new Xunit.Sdk.XunitException($"{cfgName}: the exporter took a {block.Kind} block"),
            };
            Assert.Equal(expected, slot.WeightsDims);
            Assert.Contains($"layer {block.Layer.Index} ", slot.LayerName);
        }
    }

    private static (long Size, long Pad) Kernel(OnnxGraph graph)
    {
        var conv = graph.Nodes.Single(n => n.OpType == "Conv");
        return (conv.Attributes.Single(a => a.Name == "kernel_shape").IntsValue[0], conv.Attributes.Single(a => a.Name == "pads").IntsValue[0]);
    }
}
