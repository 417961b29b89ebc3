using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Layout;

/// <summary>
/// The sections and options darknet loads that the converter used to refuse: their shapes (AlexeyAB's make_*_layer) and
/// the floats his loader (parser.c, load_weights_upto) reads for them, converted and checked value by value.
/// </summary>
public class LoadedSectionsTests
{
    private static NetworkLayout Parse(string body, int width = 8, int height = 8, int channels = 3) =>
        NetworkLayout.FromCfg($"[net]\nwidth={width}\nheight={height}\nchannels={channels}\n\n" + body, "t.cfg");

    private const string Conv8 = "[convolutional]\nfilters=8\nsize=3\npad=1\nactivation=mish\n";

    private static List<LayerParameters> Convert(NetworkLayout layout)
    {
        using var weights = SyntheticWeights.Open(layout.FloatCount(), SyntheticWeights.Header(0, 2, 5));
        var sink = new ListSink();
        var result = DarknetConverter.Convert(layout, weights, weights.Length, sink, new ConversionOptions());
        Assert.Equal(layout.Blocks.Count, result.LayersWritten);
        long start = 0;
        int entry = 0;
        foreach (var layer in layout.WeightedLayers)
        {
            entry += ParameterLayout.CheckLayer(layer, sink.Layers, entry, start, SyntheticWeights.DefaultSeed);
            start += layer.FloatCount;
        }
        Assert.Equal(sink.Layers.Count, entry);
        Assert.Equal(layout.FloatCount(), start);
        return sink.Layers;
    }

    [Fact]
    public void Reorg3d_has_reorgs_shapes_and_stores_nothing()
    {
        var layout = Parse(Conv8 + "[reorg3d]\nstride=2\n[reorg3d]\nstride=2\nreverse=1\n");
        var reorg = layout.Layers[1];
        Assert.Equal((LayerType.Reorg3d, 32, 4, 4), (reorg.Type, reorg.OutputChannels, reorg.OutputHeight, reorg.OutputWidth));
        Assert.False(reorg.HasWeights);
        var back = layout.Layers[2];
        Assert.True(back.Reverse);
        Assert.Equal((8, 8, 8), (back.OutputChannels, back.OutputHeight, back.OutputWidth));
    }

    [Theory]
    [InlineData("size=4\nstride=4\n", 2, 2)]            // yolov4-tiny_contrastive: padding defaults to size − 1
    [InlineData("size=3\nstride=2\npadding=0\n", 3, 3)]
    [InlineData("stride=2\nstride_y=1\n", 8, 4)]        // size defaults to stride, stride_x to stride
    public void Local_avgpool_takes_maxpools_windows(string options, int height, int width)
    {
        var pool = Parse(Conv8 + "[local_avgpool]\n" + options).Layers[1];
        Assert.Equal((LayerType.LocalAvgPool, 8, height, width), (pool.Type, pool.OutputChannels, pool.OutputHeight, pool.OutputWidth));
        Assert.False(pool.HasWeights);
    }

    [Fact]
    public void Crop_takes_its_window_and_refuses_one_larger_than_its_input()
    {
        var crop = Parse("[crop]\ncrop_width=6\ncrop_height=5\nflip=1\nangle=0\nnoadjust=1\n" + Conv8).Layers[0];
        Assert.Equal((LayerType.Crop, 3, 5, 6), (crop.Type, crop.OutputChannels, crop.OutputHeight, crop.OutputWidth));
        Assert.True(crop.NoAdjust);
        var e = Assert.Throws<DarknetException>(() => Parse("[crop]\ncrop_width=9\ncrop_height=5\n"));
        Assert.Equal(ErrorCodes.BadSize, e.Code);
        Assert.Contains("[crop]", e.Message);
    }

    [Fact]
    public void Gaussian_yolo_keeps_its_head_and_shape()
    {
        var layout = Parse("[convolutional]\nfilters=24\nsize=1\nactivation=linear\n" +
                           "[Gaussian_yolo]\nmask=1,0\nanchors=7,10, 14,24, 27,43\nclasses=3\nnum=3\nscale_x_y=1.05\niou_loss=giou\n");
        var yolo = layout.Layers[1];
        Assert.Equal((LayerType.GaussianYolo, 24, 8, 8), (yolo.Type, yolo.OutputChannels, yolo.OutputHeight, yolo.OutputWidth));
        Assert.Equal("Gaussian_yolo", yolo.SectionName);
        Assert.Equal(new[] { 1, 0 }, yolo.Head!.Mask);
        Assert.Equal(new[] { 7f, 10, 14, 24, 27, 43 }, yolo.Head.Anchors);
        Assert.Equal((3, 3, 1.05f), (yolo.Head.Classes, yolo.Head.Num, yolo.Head.ScaleXY));
        Assert.Equal(new[] { "conv_1" }, LayerNaming.NamesFor(layout));
    }

    [Theory]
    [InlineData("", nameof(YoloPoint.Center))]
    [InlineData("yolo_point=left_top\n", nameof(YoloPoint.LeftTop))]
    [InlineData("yolo_point=right_bottom\n", nameof(YoloPoint.RightBottom))]
    [InlineData("yolo_point=center\n", nameof(YoloPoint.Center))]
    // darknet compares with strcmp and takes anything else as center
    [InlineData("yolo_point=LEFT_TOP\n", nameof(YoloPoint.Center))]
    [InlineData("yolo_point=middle\n", nameof(YoloPoint.Center))]
    public void Gaussian_yolo_takes_yolo_point_as_darknet_does(string option, string expected)
    {
        var head = Parse("[convolutional]\nfilters=16\nsize=1\nactivation=linear\n[Gaussian_yolo]\nmask=0\nanchors=7,10\nclasses=7\nnum=1\n" + option).Layers[1].Head!;
        Assert.Equal(expected, head.Point.ToString());
    }

    [Fact]
    public void Yolo_heads_take_darknets_defaults_and_fill_missing_anchors_with_a_half()
    {
        var head = Parse("[convolutional]\nfilters=75\nsize=1\n[yolo]\nnum=3\nanchors=10,13\n").Layers[1].Head!;
        Assert.Equal((20, 3, 1f, false), (head.Classes, head.Num, head.ScaleXY, head.NewCoords));
        Assert.Equal(new[] { 0, 1, 2 }, head.Mask);
        Assert.Equal(new[] { 10f, 13, .5f, .5f, .5f, .5f }, head.Anchors);
    }

    [Fact]
    public void Contrastive_passes_its_input_on_and_needs_a_yolo_layer()
    {
        var layout = Parse("[convolutional]\nfilters=18\nsize=1\n[yolo]\nmask=0\nanchors=1,2\nclasses=1\nnum=1\n" +
                           "[route]\nlayers=-2\n[contrastive]\nclasses=1\nyolo_layer=-2\ntemperature=1.0\n");
        var contrastive = layout.Layers[3];
        Assert.Equal((LayerType.Contrastive, 18, 8, 8), (contrastive.Type, contrastive.OutputChannels, contrastive.OutputHeight, contrastive.OutputWidth));
        Assert.Equal(new[] { 1 }, contrastive.Sources);
        Assert.False(contrastive.HasWeights);

        var e = Assert.Throws<DarknetException>(() => Parse(Conv8 + "[contrastive]\nyolo_layer=-1\n"));
        Assert.Equal(ErrorCodes.BadRoute, e.Code);
        Assert.Contains("not a [yolo] layer", e.Message);
    }

    [Fact]
    public void Crnn_stores_its_input_self_and_output_convolutions_in_that_order_named_by_role()
    {
        var layout = Parse(Conv8 + "[crnn]\nbatch_normalize=1\nsize=3\npad=1\noutput=6\nhidden=4\nactivation=leaky\n" +
                           "[crnn]\nsize=1\noutput=2\nhidden=3\n");
        var crnn = layout.Layers[1];
        Assert.Equal((LayerType.Crnn, 6, 8, 8), (crnn.Type, crnn.OutputChannels, crnn.OutputHeight, crnn.OutputWidth));
        Assert.Equal(new[] { "input", "self", "output" }, crnn.Stored.Select(b => b.Role));
        Assert.Equal(new[] { (4, 8), (4, 4), (6, 4) }, crnn.Stored.Select(b => (b.Filters, b.InputChannels)));
        Assert.Equal(4 * 4 + 4 * 8 * 9 + 4 * 4 + 4 * 4 * 9 + 4 * 6 + 6 * 4 * 9, crnn.FloatCount);   // bn: 4 floats per filter
        Assert.Equal(new[] { "conv_1", "crnn_1/input", "crnn_1/self", "crnn_1/output", "crnn_2/input", "crnn_2/self", "crnn_2/output" },
            LayerNaming.NamesFor(layout));

        var arrays = Convert(layout);
        Assert.Equal(new[] { 3, 3, 8, 4 }, arrays[1].Weights!.Shape);
        Assert.Equal(new[] { 1, 1, 3, 2 }, arrays[6].Weights!.Shape);
        Assert.NotNull(arrays[1].BatchNorm);
        Assert.NotNull(arrays[6].Biases);
    }

    [Fact]
    public void A_crnn_that_changes_the_size_is_refused_as_darknet_asserts()
    {
        var e = Assert.Throws<DarknetException>(() => Parse(Conv8 + "[crnn]\nsize=3\noutput=6\nhidden=4\n"));
        Assert.Equal(ErrorCodes.BadSize, e.Code);
        Assert.Contains("[crnn]", e.Message);
    }

    [Fact]
    public void A_layer_darknet_does_not_load_stores_nothing_and_gets_no_name()
    {
        var layout = Parse(Conv8 + "[convolutional]\nfilters=4\nsize=1\ndontload=1\n[connected]\noutput=3\ndontload=1\n[convolutional]\nfilters=2\nsize=1\n");
        Assert.True(layout.Layers[1].DontLoad);
        Assert.Equal(0, layout.Layers[1].FloatCount);
        Assert.Equal(0, layout.Layers[2].FloatCount);
        Assert.Equal(new[] { "conv_1", "conv_2" }, LayerNaming.NamesFor(layout));
        Convert(layout);
    }

    [Fact]
    public void Flipped_weights_are_read_in_their_transposed_file_order()
    {
        var layout = Parse(Conv8 + "[convolutional]\nbatch_normalize=1\nfilters=5\nsize=3\npad=1\nflipped=1\n[convolutional]\nfilters=3\nsize=1\ngroups=1\nflipped=1\n");
        Assert.True(layout.Layers[1].Flipped);
        Convert(layout);
    }

    [Fact]
    public void Stride_x_and_stride_y_stride_across_and_down()
    {
        var layout = Parse(Conv8 + "[convolutional]\nfilters=4\nsize=3\npad=1\nstride_x=2\nstride_y=1\n[maxpool]\nsize=2\nstride_x=1\nstride_y=2\n", width: 16);
        var conv = layout.Layers[1];
        Assert.Equal((8, 8, 2, 1), (conv.OutputHeight, conv.OutputWidth, conv.Stride, conv.StrideY));
        var pool = layout.Layers[2];
        Assert.Equal((4, 8), (pool.OutputHeight, pool.OutputWidth));
        Convert(layout);
    }
}
