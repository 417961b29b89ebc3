using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Xunit;

namespace Darknet.Weights.Tests.Models;

/// <summary>The layouts written in code equal the upstream cfg files, layer by layer (skipped where ../shared is absent).</summary>
public class BuiltInLayoutMatchesCfgTests
{
    [SkippableTheory]
    [InlineData("yolov3", "yolov3.cfg")]
    [InlineData("darknet53_448", "darknet53_448.cfg")]
    [InlineData("yolov3_feat", "darknet53_448.cfg")]
    [InlineData("yolov3-tiny", "yolov3-tiny.cfg")]
    [InlineData("yolov3-spp", "yolov3-spp.cfg")]
    [InlineData("yolov3-openimages", "yolov3-openimages.cfg")]
    [InlineData("yolov2", "yolov2.cfg")]
    [InlineData("yolov2-tiny", "yolov2-tiny.cfg")]
    public void The_built_in_layout_equals_the_upstream_cfg(string model, string cfg)
    {
        AssertSameLayout(NetworkLayout.FromCfgFile(SharedFiles.RequireCfg(cfg)), ModelCatalog.Find(model)!.Layout);
    }

    [SkippableTheory]
    [InlineData("yolov4", "yolov4.cfg")]
    [InlineData("yolov4-tiny", "yolov4-tiny.cfg")]
    [InlineData("yolov4-csp", "yolov4-csp.cfg")]
    [InlineData("yolov4x-mish", "yolov4x-mish.cfg")]
    [InlineData("yolov7-tiny", "yolov7-tiny.cfg")]
    [InlineData("yolov7", "yolov7.cfg")]
    public void The_built_in_layout_equals_alexeyabs_cfg(string model, string cfg)
    {
        AssertSameLayout(NetworkLayout.FromCfgFile(SharedFiles.RequireAlexeyAbCfg(cfg)), ModelCatalog.Find(model)!.Layout);
    }

    [SkippableFact]
    public void Yolov4_conv_137_is_the_first_137_layers_of_yolov4()
    {
        var fromCfg = NetworkLayout.FromCfgFile(SharedFiles.RequireAlexeyAbCfg("yolov4.cfg"));
        var builtIn = ModelCatalog.Find("yolov4.conv.137")!.Layout;

        Assert.Equal(137, builtIn.Layers.Count);
        for (var i = 0; i < 137; i++) AssertSameLayer(fromCfg.Layers[i], builtIn.Layers[i]);
        var weighted = builtIn.WeightedLayers.Count;
        Assert.Equal(fromCfg.WeightedLayers.Count(l => l.Index < 137), weighted);
        Assert.Equal(fromCfg.FloatCount(weighted), builtIn.FloatCount());
    }

    [SkippableFact]
    public void Yolov2_with_20_classes_at_416_equals_yolov2_voc_cfg()
    {
        AssertSameLayout(NetworkLayout.FromCfgFile(SharedFiles.RequireCfg("yolov2-voc.cfg")), YoloV2.Full(size: 416, classes: 20));
    }

    [SkippableFact]
    public void Yolov2s_backbone_is_darknet19_without_its_classifier()
    {
        var fromCfg = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg("darknet19.cfg"));
        var backbone = new LayoutBuilder(fromCfg.Width, fromCfg.Height).Darknet19Backbone().Build();

        Assert.Equal(fromCfg.Layers.Count - 3, backbone.Layers.Count); // darknet19.cfg ends in conv 1000, [avgpool], [softmax]
        for (var i = 0; i < backbone.Layers.Count; i++) AssertSameLayer(fromCfg.Layers[i], backbone.Layers[i]);
        Assert.Equal(fromCfg.FloatCount(18), backbone.FloatCount());
    }

    private static void AssertSameLayout(NetworkLayout fromCfg, NetworkLayout builtIn)
    {
        Assert.Equal((fromCfg.Width, fromCfg.Height, fromCfg.Channels), (builtIn.Width, builtIn.Height, builtIn.Channels));
        Assert.Equal(fromCfg.Layers.Count, builtIn.Layers.Count);
        for (var i = 0; i < fromCfg.Layers.Count; i++) AssertSameLayer(fromCfg.Layers[i], builtIn.Layers[i]);
        Assert.Equal(fromCfg.FloatCount(), builtIn.FloatCount());
    }

    [SkippableFact]
    public void Darknet53_conv_74_is_the_first_74_layers_of_darknet53_448()
    {
        var fromCfg = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg("darknet53_448.cfg"));
        var builtIn = ModelCatalog.Find("darknet53.conv.74")!.Layout;

        Assert.Equal(74, builtIn.Layers.Count);
        for (var i = 0; i < 74; i++) AssertSameLayer(fromCfg.Layers[i], builtIn.Layers[i]);
        Assert.Equal(fromCfg.FloatCount(52), builtIn.FloatCount());
    }

    private static void AssertSameLayer(LayerInfo expected, LayerInfo actual)
    {
        var what = $"layer {expected.Index} (cfg line {expected.Line}): expected {expected}, built {actual}";
        Assert.True(expected.Index == actual.Index, what);
        Assert.True(expected.Type == actual.Type, what);
        Assert.True(expected.Filters == actual.Filters, what);
        Assert.True(expected.Size == actual.Size, what);
        Assert.True(expected.Stride == actual.Stride, what);
        Assert.True(expected.Padding == actual.Padding, what);
        Assert.True(expected.Groups == actual.Groups, what);
        Assert.True(expected.GroupId == actual.GroupId, what);
        Assert.True(expected.Dilation == actual.Dilation, what);
        Assert.True(expected.Activation == actual.Activation, what);
        Assert.True(expected.SharesWeightsOf == actual.SharesWeightsOf, what);
        Assert.True(expected.ShortcutWeights == actual.ShortcutWeights, what);
        Assert.True(expected.MaxPoolDepth == actual.MaxPoolDepth, what);
        Assert.True(expected.BatchNormalize == actual.BatchNormalize, what);
        Assert.True(expected.Inputs == actual.Inputs, what);
        Assert.True(expected.Sources.SequenceEqual(actual.Sources), what);
        Assert.True(expected.InputChannels == actual.InputChannels && expected.InputHeight == actual.InputHeight && expected.InputWidth == actual.InputWidth, what);
        Assert.True(expected.OutputChannels == actual.OutputChannels && expected.OutputHeight == actual.OutputHeight && expected.OutputWidth == actual.OutputWidth, what);
        Assert.True(expected.HasWeights == actual.HasWeights, what);
        Assert.True(expected.FloatCount == actual.FloatCount, what);
    }
}
