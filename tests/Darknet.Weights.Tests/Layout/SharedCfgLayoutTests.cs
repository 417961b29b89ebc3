using Darknet.Testing;
using Darknet.Weights.Layout;
using Xunit;

namespace Darknet.Weights.Tests.Layout;

/// <summary>Every upstream cfg in ../shared/darknet/cfg parses, and the ones darknet-format.md lists have its figures.</summary>
public class SharedCfgLayoutTests
{
    public static IEnumerable<object[]> CfgFiles => SharedFiles.CfgFileNames().Select(n => new object[] { n });

    [SkippableTheory]
    [MemberData(nameof(CfgFiles))]
    public void Every_upstream_cfg_parses_with_a_positive_float_count(string fileName)
    {
        var layout = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg(fileName));

        Assert.NotEmpty(layout.WeightedLayers);
        Assert.True(layout.FloatCount() > 0);
        Assert.All(layout.Layers, l => Assert.True(l.OutputChannels > 0 && l.OutputHeight > 0 && l.OutputWidth > 0, l.ToString()));
        Assert.All(layout.WeightedLayers, l => Assert.True(l.FloatCount > 0, l.ToString()));
    }

    [SkippableTheory]
    [InlineData("yolov3.cfg", 75, 62_001_757L)]
    [InlineData("yolov3-tiny.cfg", 13, 8_858_734L)]
    [InlineData("yolov3-spp.cfg", 76, 63_052_381L)]
    [InlineData("darknet53_448.cfg", 53, 41_645_640L)]
    [InlineData("yolov2.cfg", 23, 50_983_561L)]
    public void Float_counts_match_the_published_weights(string fileName, int weightedLayers, long floats)
    {
        var layout = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg(fileName));

        Assert.Equal(weightedLayers, layout.WeightedLayers.Count);
        Assert.Equal(floats, layout.FloatCount());
    }

    [SkippableFact]
    public void Yolov3_shapes_follow_the_network()
    {
        var layout = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg("yolov3.cfg"));

        Assert.Equal(107, layout.Layers.Count);
        var firstYolo = layout.Layers[82];
        Assert.Equal(LayerType.Yolo, firstYolo.Type);
        Assert.Equal((255, 19, 19), (firstYolo.OutputChannels, firstYolo.OutputHeight, firstYolo.OutputWidth));
        var route = layout.Layers[86];
        Assert.Equal(new[] { 85, 61 }, route.Sources);
        Assert.Equal((256 + 512, 38, 38), (route.OutputChannels, route.OutputHeight, route.OutputWidth));
        Assert.Equal((255, 76, 76), (layout.Layers[106].OutputChannels, layout.Layers[106].OutputHeight, layout.Layers[106].OutputWidth));
    }

    [SkippableFact]
    public void Yolov2_reorg_and_route_give_the_channels_darknet_prints()
    {
        var layout = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg("yolov2.cfg"));
        var reorg = layout.Layers.Single(l => l.Type == LayerType.Reorg);
        Assert.Equal((64 * 4, 19, 19), (reorg.OutputChannels, reorg.OutputHeight, reorg.OutputWidth));
        Assert.Equal(1280, layout.Layers[reorg.Index + 1].OutputChannels); // route -1,-4: 256 + 1024
    }
}
