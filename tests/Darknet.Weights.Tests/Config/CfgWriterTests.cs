using Darknet.Weights.Config;
using Darknet.Weights.Layout;
using Xunit;

namespace Darknet.Weights.Tests.Config;

/// <summary>CfgWriter: a layout described in code, written as cfg text, reads back as the same layout.</summary>
public sealed class CfgWriterTests
{
    /// <summary>Every option a layer's shape, floats or forward pass depends on, ToString's and the rest.</summary>
    internal static string Describe(LayerInfo l) =>
        $"{l} pad={l.Padding} group_id={l.GroupId} inputs={l.Inputs} norm={l.WeightsNormalization} floats={l.FloatCount}";

    [Fact]
    public void Every_layer_type_it_writes_reads_back_the_same()
    {
        var layout = new LayoutBuilder(32, 24, 4)
            .Convolutional(8, 3, 1, 1, groups: 2, batchNormalize: true, activation: "mish")   // 0
            .Convolutional(8, 3, 2, 0, activation: "linear", dilation: 2)                     // 1
            .Convolutional(8, 3, 2, 0, activation: "linear", sharesWeightsOf: -1)             // 2
            .MaxPool(2, 1)                                                                     // 3
            .MaxPoolDepth(4)                                                                   // 4
            .Route(new[] { -1, -2 }, groups: 2, groupId: 1)                                    // 5
            .Convolutional(8, 1, 1, 0)                                                         // 6
            .Shortcut(new[] { -4 }, "leaky", ShortcutWeights.PerChannel, "softmax")            // 7
            .Shortcut(3)                                                                       // 8
            .Sam(-2, "logistic")                                                               // 9
            .Upsample(2).Upsample(-2)                                                          // 10, 11
            .Reorg(2).Reorg(2, reverse: true)                                                  // 12, 13
            .BatchNorm().Dropout()                                                             // 14, 15
            .Deconvolutional(4, 2, 2, 0, batchNormalize: true, activation: "relu")             // 16
            .AvgPool().ScaleChannels(-2)                                                       // 17, 18
            .Convolutional(3 * 7, 1, 1, 0, activation: "linear")                               // 19
            .Yolo(DetectionHead.Yolo(2, new float[] { 1, 2, 3, 4, 5, 6 }, new[] { 0, 2, 1 }, 1.05f))
            .Route(-2).Convolutional(2 * 7, 1, 1, 0, activation: "linear")
            .Region(DetectionHead.Region(2, new[] { 0.5f, 0.25f, 1.5f, 2.75f }))
            .Connected(10, batchNormalize: true, activation: "tanh").Softmax().Cost()
            .Build();

        var text = CfgWriter.Write(layout);
        var readBack = NetworkLayout.FromCfg(text, "written.cfg");

        Assert.Equal((32, 24, 4), (readBack.Width, readBack.Height, readBack.Channels));
        Assert.Equal(layout.Layers.Select(Describe), readBack.Layers.Select(Describe));
        Assert.Contains("[yolo]\nmask=0,2,1\nanchors=1,2,3,4,5,6\nclasses=2\nnum=3\nscale_x_y=1.05\n", text);
        Assert.Contains("[region]\nanchors=0.5,0.25,1.5,2.75\nclasses=2\ncoords=4\nnum=2\nsoftmax=1\n", text);
        Assert.Contains("[route]\nlayers=4,3\ngroups=2\ngroup_id=1\n", text);
    }

    [Fact]
    public void A_detection_layer_without_its_head_is_a_bug_named_as_such()
    {
        var layout = new LayoutBuilder(8, 8).Convolutional(18, 1, 1, 0).Yolo().Build();
        var e = Assert.Throws<InvalidOperationException>(() => CfgWriter.Write(layout));
        Assert.Contains("layer 1", e.Message);
        Assert.Contains("no detection head", e.Message);
    }
}
