using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Darknet.Weights.Naming;
using Xunit;

namespace Darknet.Weights.Tests.Naming;

public class LayerNamingTests
{
    private static readonly string[] Darknet53Convs = Enumerable.Range(1, 52).Select(i => $"conv_{i}").ToArray();

    private static IEnumerable<string> YoloV3Expected() =>
        Darknet53Convs
            .Concat(Enumerable.Range(1, 7).Select(i => $"conv_1_{i}"))
            .Concat(Enumerable.Range(0, 8).Select(i => $"conv_2_{i}"))
            .Concat(Enumerable.Range(0, 8).Select(i => $"conv_3_{i}"));

    [Fact]
    public void Yolov3_described_in_code_gets_yolov3_names()
    {
        var names = LayerNaming.NamesFor(YoloV3.Full());
        Assert.Equal(YoloV3Expected(), names);
        Assert.Equal("conv_2_0", names[59]); // the 1x1 conv before the first upsample
    }

    [Fact]
    public void Yolov3_structure_is_recognised_whatever_the_classes_and_input_size()
    {
        Assert.Equal(YoloV3Expected(), LayerNaming.NamesFor(YoloV3.Full(size: 416, classes: 20)));
        Assert.Equal(YoloV3Expected(), LayerNaming.NamesFor(YoloV3.Full(size: 320, classes: 1)));
    }

    [SkippableTheory]
    [InlineData("yolov3.cfg")]
    [InlineData("yolov3-voc.cfg")]        // 75-filter detection convs, 416 input
    [InlineData("yolov3-openimages.cfg")] // 1818-filter detection convs
    public void Upstream_yolov3_cfgs_get_yolov3_names(string fileName)
    {
        var layout = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg(fileName));
        Assert.Equal(YoloV3Expected(), LayerNaming.NamesFor(layout));
    }

    [SkippableTheory]
    [InlineData("darknet53_448.cfg")]
    [InlineData("darknet53.cfg")]
    public void Darknet53_classifiers_end_in_conv_fc_1(string fileName)
    {
        var layout = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg(fileName));
        Assert.Equal(Darknet53Convs.Append("conv_fc_1"), LayerNaming.NamesFor(layout));
    }

    [Fact]
    public void The_darknet53_classifier_in_code_ends_in_conv_fc_1()
    {
        Assert.Equal(Darknet53Convs.Append("conv_fc_1"), LayerNaming.NamesFor(Darknet53.Classifier()));
        Assert.Equal(Darknet53Convs.Append("conv_fc_1"), LayerNaming.NamesFor(Darknet53.Classifier(size: 256, classes: 10)));
    }

    [Fact]
    public void The_darknet53_prefix_is_conv_1_to_conv_52()
    {
        Assert.Equal(Darknet53Convs, LayerNaming.NamesFor(Darknet53.Conv74()));
    }

    [SkippableFact]
    public void Yolov3_spp_is_not_yolov3_and_is_numbered_per_type()
    {
        var layout = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg("yolov3-spp.cfg"));
        Assert.Equal(Enumerable.Range(1, 76).Select(i => $"conv_{i}"), LayerNaming.NamesFor(layout));
    }

    [Fact]
    public void A_changed_backbone_is_not_taken_for_yolov3()
    {
        Assert.Equal(YoloV3Expected(), LayerNaming.NamesFor(NetworkLayout.FromCfg(YoloV3Cfg(), "t.cfg")));
        var text = YoloV3Cfg().Replace("filters=64\n", "filters=48\n");
        Assert.Equal(Enumerable.Range(1, 75).Select(i => $"conv_{i}"), LayerNaming.NamesFor(NetworkLayout.FromCfg(text, "t.cfg")));
    }

    [Fact]
    public void Any_other_network_counts_each_weighted_layer_type_on_its_own()
    {
        var layout = NetworkLayout.FromCfg(
            "[net]\nwidth=8\nheight=8\n" +
            "[conv]\nfilters=4\nsize=3\npad=1\n" +
            "[batchnorm]\n" +
            "[deconv]\nfilters=4\nsize=2\nstride=2\n" +
            "[conv]\nfilters=4\nsize=1\n" +
            "[maxpool]\nsize=2\nstride=2\n" +
            "[connected]\noutput=10\n" +
            "[dropout]\n" +
            "[conn]\noutput=2\n" +
            "[batchnorm]\n" +
            "[softmax]\n",
            "t.cfg");
        Assert.Equal(new[] { "conv_1", "bn_1", "deconv_1", "conv_2", "fc_1", "fc_2", "bn_2" }, LayerNaming.NamesFor(layout));
    }

    [SkippableTheory]
    [MemberData(nameof(Layout.SharedCfgLayoutTests.CfgFiles), MemberType = typeof(Layout.SharedCfgLayoutTests))]
    public void Every_upstream_cfg_gets_one_unique_name_per_weighted_layer(string fileName)
    {
        var layout = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg(fileName));
        var names = LayerNaming.NamesFor(layout);
        Assert.Equal(layout.WeightedLayers.Count, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    // yolov3.cfg's structure written out as cfg text, so a test can alter one value of it without ../shared.
    private static string YoloV3Cfg()
    {
        var text = new System.Text.StringBuilder("[net]\nwidth=416\nheight=416\nchannels=3\n");
        foreach (var l in YoloV3.Full(416).Layers)
        {
            switch (l.Type)
            {
                case LayerType.Convolutional:
                    text.Append($"[convolutional]\nbatch_normalize={(l.BatchNormalize ? 1 : 0)}\nfilters={l.Filters}\nsize={l.Size}\nstride={l.Stride}\npad=1\n");
                    break;
                case LayerType.Shortcut:
                    text.Append($"[shortcut]\nfrom={l.Sources[0] - l.Index}\n");
                    break;
                case LayerType.Route:
                    text.Append($"[route]\nlayers={string.Join(",", l.Sources)}\n");
                    break;
                case LayerType.Upsample:
                    text.Append("[upsample]\nstride=2\n");
                    break;
                case LayerType.Yolo:
                    text.Append("[yolo]\n");
                    break;
                default:
                    throw new InvalidOperationException(l.ToString());
            }
        }
        return text.ToString();
    }
}
