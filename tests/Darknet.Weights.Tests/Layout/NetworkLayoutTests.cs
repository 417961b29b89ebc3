using Darknet.Weights;
using Darknet.Weights.Layout;
using Xunit;

namespace Darknet.Weights.Tests.Layout;

public class NetworkLayoutTests
{
    private static NetworkLayout Parse(string body, int width = 8, int height = 8, int channels = 3) =>
        NetworkLayout.FromCfg($"[net]\nwidth={width}\nheight={height}\nchannels={channels}\n\n" + body, "t.cfg");

    [Fact]
    public void Convolutional_with_batch_norm_reads_bias_bn_and_weights()
    {
        var layout = Parse("[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=1\npad=1\n");
        var conv = layout.Layers[0];

        Assert.Equal(LayerType.Convolutional, conv.Type);
        Assert.Equal(6, conv.Line);
        Assert.Equal((3, 8, 8), (conv.InputChannels, conv.InputHeight, conv.InputWidth));
        Assert.Equal((16, 8, 8), (conv.OutputChannels, conv.OutputHeight, conv.OutputWidth));
        Assert.Equal(1, conv.Padding);
        Assert.True(conv.HasWeights);
        Assert.Equal(16 + 3 * 16 + 16 * 3 * 3 * 3, conv.FloatCount);
        Assert.Equal(conv.FloatCount, layout.FloatCount());
    }

    [Fact]
    public void Convolutional_without_batch_norm_reads_bias_and_weights()
    {
        var conv = Parse("[conv]\nfilters=4\nsize=1\n").Layers[0];
        Assert.False(conv.BatchNormalize);
        Assert.Equal(4 + 4 * 3, conv.FloatCount);
    }

    [Fact]
    public void Groups_divide_the_input_channels_of_each_filter()
    {
        var conv = Parse("[conv]\nfilters=8\nsize=3\ngroups=4\npad=1\n", channels: 4).Layers[0];
        Assert.Equal(4, conv.Groups);
        Assert.Equal(8 + 8 * (4 / 4) * 3 * 3, conv.FloatCount);
    }

    [Fact]
    public void Groups_that_do_not_divide_the_channels_are_refused()
    {
        AssertFails(ErrorCodes.BadSize, 6, () => Parse("[conv]\nfilters=8\nsize=3\ngroups=2\n", channels: 3));
    }

    [Theory]
    [InlineData("pad=1\nsize=3\nstride=1", 8, 1)]   // pad=1: padding = size/2
    [InlineData("pad=1\nsize=3\nstride=2", 4, 1)]   // (8 + 2 - 3)/2 + 1 = 4
    [InlineData("size=3\nstride=1", 6, 0)]          // no padding
    [InlineData("padding=2\nsize=3\nstride=1", 10, 2)]
    [InlineData("pad=1\npadding=5\nsize=1\nstride=1", 8, 0)] // pad=1 wins over padding=
    public void Convolutional_output_size_follows_pad_padding_and_stride(string keys, int expected, int padding)
    {
        var conv = Parse("[conv]\nfilters=2\n" + keys + "\n").Layers[0];
        Assert.Equal(expected, conv.OutputHeight);
        Assert.Equal(expected, conv.OutputWidth);
        Assert.Equal(padding, conv.Padding);
    }

    [Fact]
    public void Non_square_input_keeps_height_and_width_apart()
    {
        var conv = Parse("[conv]\nfilters=2\nsize=3\nstride=2\npad=1\n", width: 16, height: 8).Layers[0];
        Assert.Equal((4, 8), (conv.OutputHeight, conv.OutputWidth));
    }

    [Fact]
    public void Deconvolutional_grows_the_image_and_reads_like_a_conv()
    {
        var layer = Parse("[deconv]\nfilters=4\nsize=4\nstride=2\npadding=1\nbatch_normalize=1\n").Layers[0];
        Assert.Equal(LayerType.Deconvolutional, layer.Type);
        Assert.Equal(16, layer.OutputHeight); // (8 - 1)*2 + 4 - 2*1
        Assert.Equal(4 * 4 + 4 * 3 * 4 * 4, layer.FloatCount);
    }

    [Fact]
    public void Connected_reads_its_inputs_from_height_width_and_channels()
    {
        var layout = Parse("[maxpool]\nsize=2\nstride=2\n[connected]\noutput=10\nbatch_normalize=1\n[conn]\noutput=5\n", width: 4, height: 4);
        var fc = layout.Layers[1];
        Assert.Equal(LayerType.Connected, fc.Type);
        Assert.Equal(2 * 2 * 3, fc.Inputs);
        Assert.Equal((10, 1, 1), (fc.OutputChannels, fc.OutputHeight, fc.OutputWidth));
        Assert.Equal(10 + 10 * 12 + 3 * 10, fc.FloatCount);
        Assert.Equal(10, layout.Layers[2].Inputs);
        Assert.Equal(5 + 5 * 10, layout.Layers[2].FloatCount);
    }

    [Fact]
    public void Batchnorm_reads_three_floats_per_channel()
    {
        var bn = Parse("[conv]\nfilters=6\nsize=1\n[batchnorm]\n").Layers[1];
        Assert.Equal(LayerType.BatchNorm, bn.Type);
        Assert.Equal(18, bn.FloatCount);
        Assert.Equal(6, bn.OutputChannels);
    }

    [Fact]
    public void Route_sums_channels_and_resolves_negative_and_absolute_indices_without_counting_net()
    {
        var layout = Parse(
            "[conv]\nfilters=4\nsize=1\n" +       // 0
            "[conv]\nfilters=6\nsize=1\n" +       // 1
            "[conv]\nfilters=5\nsize=1\n" +       // 2
            "[route]\nlayers=-1, 0\n" +           // 3: 5 + 4
            "[route]\nlayers=1\n");                // 4: 6
        Assert.Equal(new[] { 2, 0 }, layout.Layers[3].Sources);
        Assert.Equal(9, layout.Layers[3].OutputChannels);
        Assert.Equal(new[] { 1 }, layout.Layers[4].Sources);
        Assert.Equal(6, layout.Layers[4].OutputChannels);
        Assert.Equal(9, layout.Layers[4].InputChannels);
        Assert.False(layout.Layers[3].HasWeights);
    }

    [Fact]
    public void Route_groups_keep_one_group_of_the_channels_as_in_alexeyab_darknet()
    {
        var route = Parse("[conv]\nfilters=8\nsize=1\n[route]\nlayers=-1\ngroups=2\ngroup_id=1\n").Layers[1];
        Assert.Equal(4, route.OutputChannels);
        Assert.Equal(2, route.Groups);
    }

    [Fact]
    public void Route_takes_its_size_from_the_layers_it_reads()
    {
        var layout = Parse("[conv]\nfilters=4\nsize=1\n[conv]\nfilters=2\nsize=3\nstride=2\npad=1\n[route]\nlayers=-2\n");
        Assert.Equal((8, 8, 4), (layout.Layers[2].OutputHeight, layout.Layers[2].OutputWidth, layout.Layers[2].OutputChannels));
    }

    [Theory]
    [InlineData("[route]\nlayers=1\n", 6)]      // this layer itself
    [InlineData("[route]\nlayers=5\n", 6)]      // a later layer
    [InlineData("[route]\nlayers=-3\n", 6)]     // before the first layer
    [InlineData("[route]\n", 6)]                // no layers at all
    [InlineData("[shortcut]\nfrom=-5\n", 6)]
    [InlineData("[shortcut]\n", 6)]
    public void A_route_or_shortcut_to_a_missing_layer_is_refused_with_its_line(string section, int sectionLine)
    {
        var line = sectionLine + 3; // after the conv below
        AssertFails(ErrorCodes.BadRoute, line, () => Parse("[conv]\nfilters=4\nsize=1\n" + section));
    }

    [Fact]
    public void Route_of_layers_with_different_sizes_is_refused()
    {
        AssertFails(ErrorCodes.BadRoute, 14,
            () => Parse("[conv]\nfilters=4\nsize=1\n[conv]\nfilters=2\nsize=3\nstride=2\npad=1\n[route]\nlayers=-1,-2\n"));
    }

    [Fact]
    public void Shortcut_keeps_the_shape_and_records_its_source()
    {
        var layout = Parse("[conv]\nfilters=4\nsize=1\n[conv]\nfilters=4\nsize=3\npad=1\n[shortcut]\nfrom=-2\nactivation=linear\n");
        var shortcut = layout.Layers[2];
        Assert.Equal(LayerType.Shortcut, shortcut.Type);
        Assert.Equal(new[] { 0 }, shortcut.Sources);
        Assert.Equal((4, 8, 8), (shortcut.OutputChannels, shortcut.OutputHeight, shortcut.OutputWidth));
    }

    [Fact]
    public void Upsample_multiplies_and_a_negative_stride_divides()
    {
        var layout = Parse("[upsample]\nstride=2\n[upsample]\nstride=-4\n[upsample]\n");
        Assert.Equal(16, layout.Layers[0].OutputHeight);
        Assert.Equal(4, layout.Layers[1].OutputHeight);
        Assert.Equal(8, layout.Layers[2].OutputWidth); // default stride 2
        Assert.Equal(3, layout.Layers[2].OutputChannels);
    }

    [Theory]
    [InlineData("size=2\nstride=2", 4, 1)]    // padding defaults to size - 1: (8 + 1 - 2)/2 + 1
    [InlineData("size=2\nstride=1", 8, 1)]    // yolov3-tiny's size-keeping max-pool
    [InlineData("size=3\nstride=2\npadding=0", 3, 0)]
    [InlineData("stride=2", 4, 1)]            // size defaults to stride
    public void Maxpool_output_size_uses_darknet_padding(string keys, int expected, int padding)
    {
        var pool = Parse("[max]\n" + keys + "\n").Layers[0];
        Assert.Equal(LayerType.MaxPool, pool.Type);
        Assert.Equal(expected, pool.OutputHeight);
        Assert.Equal(padding, pool.Padding);
        Assert.Equal(3, pool.OutputChannels);
    }

    [Fact]
    public void Avgpool_reduces_to_one_by_one()
    {
        var pool = Parse("[avg]\n").Layers[0];
        Assert.Equal((3, 1, 1), (pool.OutputChannels, pool.OutputHeight, pool.OutputWidth));
    }

    [Fact]
    public void Reorg_moves_space_into_channels_and_back()
    {
        var layout = Parse("[reorg]\nstride=2\n[reorg]\nstride=2\nreverse=1\n", channels: 4);
        Assert.Equal((16, 4, 4), (layout.Layers[0].OutputChannels, layout.Layers[0].OutputHeight, layout.Layers[0].OutputWidth));
        Assert.Equal((4, 8, 8), (layout.Layers[1].OutputChannels, layout.Layers[1].OutputHeight, layout.Layers[1].OutputWidth));
    }

    [Fact]
    public void Weightless_heads_pass_the_shape_through()
    {
        var layout = Parse("[conv]\nfilters=4\nsize=1\n[yolo]\nclasses=80\n[region]\n[detection]\n[soft]\n[softmax]\ngroups=1\n[cost]\n[dropout]\nprobability=.5\n");
        Assert.Equal(
            new[] { LayerType.Yolo, LayerType.Region, LayerType.Detection, LayerType.Softmax, LayerType.Softmax, LayerType.Cost, LayerType.Dropout },
            layout.Layers.Skip(1).Select(l => l.Type));
        Assert.All(layout.Layers.Skip(1), l =>
        {
            Assert.False(l.HasWeights);
            Assert.Equal(0, l.FloatCount);
            Assert.Equal((4, 8, 8), (l.OutputChannels, l.OutputHeight, l.OutputWidth));
        });
        Assert.Single(layout.WeightedLayers);
    }

    [Fact]
    public void Detection_records_its_grid_and_classes_with_darknets_defaults()
    {
        var given = Parse("[connected]\noutput=90\n[detection]\nclasses=4\ncoords=4\nnum=1\nside=3\nsoftmax=1\n").Layers[1].Head!;
        Assert.Equal((4, 4, 1, 3, true), (given.Classes, given.Coords, given.Num, given.Side, given.Softmax));
        // parse_detection: coords=1, classes=1, num=1, side=7, softmax=0
        var defaults = Parse("[connected]\noutput=147\n[detection]\n").Layers[1].Head!;
        Assert.Equal((1, 1, 1, 7, false), (defaults.Classes, defaults.Coords, defaults.Num, defaults.Side, defaults.Softmax));
        Assert.Empty(defaults.Anchors);
    }

    [Fact]
    public void Network_channels_default_to_three_and_network_is_an_alias_of_net()
    {
        var layout = NetworkLayout.FromCfg("[network]\nwidth=4\nheight=4\n[conv]\nfilters=1\nsize=1\n", "t.cfg");
        Assert.Equal(3, layout.Channels);
        Assert.Equal((4, 4), (layout.Width, layout.Height));
        Assert.Equal(3, layout.Layers[0].InputChannels);
    }

    [Fact]
    public void Layer_indices_and_lines_follow_the_file()
    {
        var layout = Parse("[conv]\nfilters=1\nsize=1\n\n[maxpool]\nsize=2\nstride=2\n");
        Assert.Equal(new[] { 0, 1 }, layout.Layers.Select(l => l.Index));
        Assert.Equal(new[] { 6, 10 }, layout.Layers.Select(l => l.Line));
    }

    [Fact]
    public void FloatCount_sums_a_prefix_of_the_weighted_layers()
    {
        var layout = Parse("[conv]\nfilters=2\nsize=1\n[maxpool]\nsize=2\nstride=2\n[conv]\nfilters=3\nsize=1\n");
        Assert.Equal(2, layout.WeightedLayers.Count);
        Assert.Equal(2 + 2 * 3, layout.FloatCount(1));
        Assert.Equal(2 + 2 * 3 + 3 + 3 * 2, layout.FloatCount());
        Assert.Equal(layout.FloatCount(), layout.FloatCount(2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-1)]
    public void FloatCount_refuses_a_limit_outside_the_weighted_layers(int limit)
    {
        var layout = Parse("[conv]\nfilters=2\nsize=1\n[conv]\nfilters=3\nsize=1\n");
        var e = Assert.Throws<DarknetException>(() => layout.FloatCount(limit));
        Assert.Equal(ErrorCodes.BadLayerLimit, e.Code);
    }

    // ---- bad input ----

    [Theory]
    [InlineData("[conv]\nfilters=0\nsize=1\n")]
    [InlineData("[conv]\nfilters=-4\nsize=1\n")]
    [InlineData("[conv]\nfilters=4\nsize=0\n")]
    [InlineData("[conv]\nfilters=4\nsize=1\nstride=0\n")]
    [InlineData("[conv]\nfilters=4\nsize=1\npadding=-1\n")]
    [InlineData("[conv]\nfilters=4\nsize=9\n")]                   // kernel larger than the 8x8 input
    [InlineData("[conv]\nfilters=4\nsize=3\nstride=16\npad=1\ngroups=0\n")]
    [InlineData("[conv]\nfilters=2000000000\nsize=1\n")]          // beyond any sane filter count
    [InlineData("[conv]\nfilters=65536\nsize=1024\npadding=600\n")] // > 2^31 floats in one layer
    [InlineData("[maxpool]\nsize=0\n")]
    [InlineData("[maxpool]\nsize=2\nstride=0\n")]
    [InlineData("[maxpool]\nsize=20\nstride=1\npadding=0\n")]
    [InlineData("[upsample]\nstride=0\n")]
    [InlineData("[upsample]\nstride=-16\n")]                     // 8 / 16 = 0
    [InlineData("[upsample]\nstride=100000\n")]                  // 800000 x 800000 x 3 values
    [InlineData("[reorg]\nstride=0\n")]
    [InlineData("[reorg]\nstride=16\n")]
    [InlineData("[reorg]\nstride=2\nreverse=1\n")]               // 3 channels do not split into 4
    [InlineData("[connected]\noutput=0\n")]
    [InlineData("[connected]\noutput=1000000\n[connected]\noutput=1000000\n")] // 10^12 weights
    [InlineData("[deconv]\nfilters=2\nsize=1\nstride=1\npadding=5\n")]
    public void Zero_negative_or_absurd_sizes_are_refused_with_the_line(string body)
    {
        var e = Assert.Throws<DarknetException>(() => Parse(body));
        Assert.Equal(ErrorCodes.BadSize, e.Code);
        Assert.Matches(@"t\.cfg, line \d+: \[", e.Message);
    }

    [Theory]
    [InlineData("width=0\nheight=8")]
    [InlineData("height=8")]
    [InlineData("width=8\nheight=-1")]
    [InlineData("width=8\nheight=8\nchannels=0")]
    [InlineData("width=100000\nheight=100000\nchannels=3")]
    public void Bad_network_sizes_are_refused_with_the_line_of_net(string keys)
    {
        AssertFails(ErrorCodes.BadSize, 1, () => NetworkLayout.FromCfg("[net]\n" + keys + "\n[conv]\nfilters=1\nsize=1\n", "t.cfg"));
    }

    [Fact]
    public void An_unknown_section_is_refused_by_name_and_line()
    {
        var e = AssertFails(ErrorCodes.UnknownSection, 9, () => Parse("[conv]\nfilters=1\nsize=1\n[frobnicate]\nx=1\n"));
        Assert.Contains("[frobnicate]", e.Message);
    }

    [Theory]
    [InlineData("local"), InlineData("rnn"), InlineData("gru"), InlineData("lstm"), InlineData("conv_lstm")]
    public void A_known_but_unsupported_section_is_refused_as_such(string name)
    {
        var e = AssertFails(ErrorCodes.UnsupportedLayer, 6, () => Parse($"[{name}]\noutput=4\n"));
        Assert.Contains($"[{name}]", e.Message);
    }

    [Theory]
    [InlineData("[conv]\nfilters=1\nsize=1\nbatch_normalize=1\ndontloadscales=1\n", 10)]
    [InlineData("[conv]\nfilters=1\nsize=1\nnumload=1\n", 9)]
    [InlineData("[conv]\nfilters=1\nsize=3\nantialiasing=1\n", 9)]
    [InlineData("[maxpool]\nsize=2\nstride=2\nantialiasing=1\n", 9)]
    [InlineData("[conv]\nfilters=4\nsize=1\n[shortcut]\nfrom=-1\nweights_type=per_pixel\n", 11)]
    [InlineData("[conv]\nfilters=4\nsize=1\n[shortcut]\nfrom=-1\nweights_type=per_feature\nweights_normalization=max\n", 12)]
    [InlineData("[reorg]\nstride=2\nextra=3\n", 8)]
    public void Options_that_would_change_the_file_layout_unseen_are_refused(string body, int line)
    {
        AssertFails(ErrorCodes.UnsupportedLayer, line, () => Parse(body));
    }

    [Fact]
    public void The_first_section_must_be_net()
    {
        var e = AssertFails(ErrorCodes.MalformedCfg, 1, () => NetworkLayout.FromCfg("[conv]\nfilters=1\n[net]\nwidth=1\n", "t.cfg"));
        Assert.Contains("[net]", e.Message);
    }

    [Fact]
    public void A_second_net_section_is_refused()
    {
        AssertFails(ErrorCodes.MalformedCfg, 9, () => Parse("[conv]\nfilters=1\nsize=1\n[net]\n"));
    }

    [Fact]
    public void A_cfg_without_layers_is_refused()
    {
        Assert.Equal(ErrorCodes.MalformedCfg, Assert.Throws<DarknetException>(() => NetworkLayout.FromCfg("", "t.cfg")).Code);
        Assert.Equal(ErrorCodes.MalformedCfg, Assert.Throws<DarknetException>(() => NetworkLayout.FromCfg("[net]\nwidth=8\nheight=8\n", "t.cfg")).Code);
    }

    [Fact]
    public void A_non_numeric_value_is_refused_with_its_line()
    {
        AssertFails(ErrorCodes.MalformedCfg, 7, () => Parse("[conv]\nfilters=many\nsize=1\n"));
    }

    [Fact]
    public void FromCfgFile_reports_a_missing_file()
    {
        var e = Assert.Throws<DarknetException>(() => NetworkLayout.FromCfgFile(Path.Combine(Path.GetTempPath(), "missing-4711.cfg")));
        Assert.Equal(ErrorCodes.CfgNotFound, e.Code);
    }

    [Fact]
    public void FromCfgFile_names_the_file_in_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"layout-test-{Guid.NewGuid():N}.cfg");
        File.WriteAllText(path, "[net]\nwidth=8\nheight=8\n[conv]\nfilters=0\n");
        try
        {
            var e = Assert.Throws<DarknetException>(() => NetworkLayout.FromCfgFile(path));
            Assert.Contains(Path.GetFileName(path) + ", line 4", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static DarknetException AssertFails(string code, int line, Func<object> parse)
    {
        var e = Assert.Throws<DarknetException>(parse);
        Assert.Equal(code, e.Code);
        Assert.Contains($"line {line}:", e.Message);
        return e;
    }
}
