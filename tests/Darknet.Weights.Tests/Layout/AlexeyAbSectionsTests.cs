using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Layout;

/// <summary>
/// AlexeyAB's sections and options: the shapes they give, what the layout records for them, and the floats his loader
/// (src/parser.c, load_weights_upto) reads for them.
/// </summary>
public class AlexeyAbSectionsTests
{
    private static NetworkLayout Parse(string body, int width = 8, int height = 8, int channels = 3) =>
        NetworkLayout.FromCfg($"[net]\nwidth={width}\nheight={height}\nchannels={channels}\n\n" + body, "t.cfg");

    private const string Conv8 = "[convolutional]\nfilters=8\nsize=3\npad=1\nactivation=mish\n";

    [Fact]
    public void Route_groups_and_group_id_keep_one_slice_of_the_channels()
    {
        var layout = Parse(Conv8 + "[route]\nlayers=-1\ngroups=2\ngroup_id=1\n[route]\nlayers=-1,-2\ngroups=4\n");
        var half = layout.Layers[1];
        Assert.Equal((4, 8, 8), (half.OutputChannels, half.OutputHeight, half.OutputWidth));
        Assert.Equal((2, 1), (half.Groups, half.GroupId));
        Assert.Equal(3, layout.Layers[2].OutputChannels);   // (4 + 8) / 4
        Assert.Equal(0, layout.Layers[2].GroupId);
    }

    [Theory]
    [InlineData("groups=2\ngroup_id=2\n")]
    [InlineData("groups=2\ngroup_id=-1\n")]
    [InlineData("groups=3\n")]
    public void A_route_group_that_does_not_exist_is_refused(string options)
    {
        var e = Assert.Throws<DarknetException>(() => Parse(Conv8 + "[route]\nlayers=-1\n" + options));
        Assert.Equal(ErrorCodes.BadSize, e.Code);
        Assert.Contains("[route]", e.Message);
    }

    [Fact]
    public void Maxpool_depth_pools_across_channels_and_keeps_the_size()
    {
        var layout = Parse(Conv8 + "[maxpool]\nmaxpool_depth=1\nout_channels=2\nsize=2\nstride=2\n");
        var pool = layout.Layers[1];
        Assert.True(pool.MaxPoolDepth);
        Assert.Equal((2, 8, 8), (pool.OutputChannels, pool.OutputHeight, pool.OutputWidth));
        Assert.Equal(0, pool.FloatCount);
    }

    [Fact]
    public void Sam_and_scale_channels_take_their_source_layers_shape()
    {
        var layout = Parse(Conv8 +
            "[convolutional]\nfilters=8\nsize=1\nactivation=logistic\n[sam]\nfrom=-2\n" +
            "[avgpool]\n[convolutional]\nfilters=8\nsize=1\nactivation=logistic\n[scale_channels]\nfrom=-4\n" +
            "[convolutional]\nfilters=1\nsize=1\n[scale_channels]\nfrom=-2\nscale_wh=1\nactivation=relu\n");
        var sam = layout.Layers[2];
        Assert.Equal((LayerType.Sam, 8, 8, 8), (sam.Type, sam.OutputChannels, sam.OutputHeight, sam.OutputWidth));
        Assert.Equal(new[] { 0 }, sam.Sources);
        Assert.Equal("linear", sam.Activation);
        var scale = layout.Layers[5];
        Assert.Equal((LayerType.ScaleChannels, 8, 8, 8), (scale.Type, scale.OutputChannels, scale.OutputHeight, scale.OutputWidth));
        Assert.Equal(new[] { 1 }, scale.Sources);
        var scaleWh = layout.Layers[7];
        Assert.True(scaleWh.ScaleWh);
        Assert.Equal((8, 8, 8, "relu"), (scaleWh.OutputChannels, scaleWh.OutputHeight, scaleWh.OutputWidth, scaleWh.Activation));
        Assert.Equal("scale_channels", scaleWh.SectionName);
        Assert.Equal(new[] { 5 }, scaleWh.Sources);
        Assert.Equal(4, layout.WeightedLayers.Count);
    }

    [Theory]
    [InlineData("[convolutional]\nfilters=4\nsize=1\n[sam]\nfrom=-2\n", "[sam]")]
    [InlineData("[scale_channels]\nfrom=-1\n", "[scale_channels]")]
    public void Sam_and_scale_channels_refuse_shapes_darknet_asserts_against(string body, string section)
    {
        var e = Assert.Throws<DarknetException>(() => Parse(Conv8 + body));
        Assert.Equal(ErrorCodes.BadSize, e.Code);
        Assert.Contains(section, e.Message);
    }

    [Fact]
    public void Activations_are_recorded_with_darknets_defaults()
    {
        var layout = Parse("[convolutional]\nfilters=4\nsize=1\n[convolutional]\nfilters=4\nsize=1\nactivation=Hard_Mish\n" +
                           "[convolutional]\nfilters=4\nsize=1\nactivation=swish\n[shortcut]\nfrom=-2\n[upsample]\n");
        // As written: darknet compares the names case-sensitively (its get_activation reads "Hard_Mish" as relu).
        Assert.Equal(new[] { "logistic", "Hard_Mish", "swish", "linear", null }, layout.Layers.Select(l => l.Activation));
    }

    [Fact]
    public void A_convolution_sharing_weights_stores_none_and_gets_no_name()
    {
        var layout = Parse(Conv8 + "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\npad=1\n" +
                           "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\npad=1\nshare_index=-1\n" +
                           "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\npad=1\nshare_index=2\n");
        Assert.Equal(1, layout.Layers[2].SharesWeightsOf);
        Assert.Equal(1, layout.Layers[3].SharesWeightsOf);   // sharing a sharer means sharing its source
        Assert.False(layout.Layers[2].HasWeights);
        Assert.Equal(0, layout.Layers[3].FloatCount);
        Assert.Equal(new[] { 0, 1 }, layout.WeightedLayers.Select(l => l.Index));
        Assert.Equal(new[] { "conv_1", "conv_2" }, LayerNaming.NamesFor(layout));
    }

    [Theory]
    [InlineData("share_index=-1\nfilters=4\n")]
    [InlineData("share_index=0\nfilters=8\nsize=1\n")]
    [InlineData("share_index=-1\nfilters=8\nbatch_normalize=1\n")]
    public void Sharing_with_a_different_convolution_is_refused(string options)
    {
        var e = Assert.Throws<DarknetException>(() => Parse(Conv8 + "[convolutional]\nsize=3\npad=1\n" + options));
        Assert.Equal(ErrorCodes.BadSize, e.Code);
        Assert.Contains("share_index", e.Message);
    }

    [Fact]
    public void Sharing_a_layer_that_does_not_come_before_is_refused()
    {
        var e = Assert.Throws<DarknetException>(() => Parse(Conv8 + "[convolutional]\nfilters=8\nsize=3\npad=1\nshare_index=1\n"));
        Assert.Equal(ErrorCodes.BadRoute, e.Code);
    }

    [Fact]
    public void Cbn_is_batch_norm_xnor_disables_groups_and_dilation_is_recorded()
    {
        var layout = Parse(Conv8 + "[convolutional]\nfilters=8\nsize=3\npad=1\ncbn=1\n" +
                           "[convolutional]\nfilters=8\nsize=3\npad=1\ngroups=4\nxnor=1\n" +
                           "[convolutional]\nfilters=8\nsize=3\npadding=2\ndilation=2\n");
        Assert.True(layout.Layers[1].BatchNormalize);
        Assert.Equal(4 * 8 + 8 * 8 * 9, layout.Layers[1].FloatCount);
        Assert.Equal(1, layout.Layers[2].Groups);
        Assert.Equal(8 + 8 * 8 * 9, layout.Layers[2].FloatCount);
        Assert.Equal(2, layout.Layers[3].Dilation);
        Assert.Equal((10, 10), (layout.Layers[3].OutputHeight, layout.Layers[3].OutputWidth));   // AlexeyAB: (8 + 2·2 − 3)/1 + 1
    }

    [Theory]
    [InlineData("per_feature", 3)]
    [InlineData("per_layer", 3)]
    [InlineData("per_channel", 3 * 8)]
    public void A_weighted_shortcut_stores_one_weight_per_input_or_per_input_and_channel(string type, int floats)
    {
        var layout = Parse(Conv8 + "[convolutional]\nfilters=8\nsize=1\n[convolutional]\nfilters=8\nsize=1\n" +
                           $"[shortcut]\nfrom=-2,-3\nweights_type={type}\nweights_normalization=softmax\n[convolutional]\nfilters=2\nsize=1\n");
        var shortcut = layout.Layers[3];
        Assert.Equal(floats, shortcut.FloatCount);
        Assert.Equal("softmax", shortcut.WeightsNormalization);
        Assert.Equal(new[] { "conv_1", "conv_2", "conv_3", "shortcut_1", "conv_4" }, LayerNaming.NamesFor(layout));

        using var weights = SyntheticWeights.Open(layout.FloatCount(), SyntheticWeights.Header(0, 2, 5));
        var sink = new ListSink();
        DarknetConverter.Convert(layout, weights, weights.Length, sink, new ConversionOptions());
        long start = 0;
        for (var i = 0; i < layout.WeightedLayers.Count; i++)
        {
            ParameterLayout.Check(layout.WeightedLayers[i], sink.Layers[i], start, SyntheticWeights.DefaultSeed);
            start += layout.WeightedLayers[i].FloatCount;
        }
        Assert.Equal(layout.FloatCount(), start);
    }

    [Fact]
    public void An_unweighted_shortcut_stores_nothing()
    {
        var layout = Parse(Conv8 + "[convolutional]\nfilters=8\nsize=1\n[shortcut]\nfrom=-2\nweights_type=none\nactivation=mish\n");
        Assert.False(layout.Layers[2].HasWeights);
        Assert.Equal("mish", layout.Layers[2].Activation);
        Assert.Null(layout.Layers[2].WeightsNormalization);
    }

    [Fact]
    public void A_batchnorm_file_written_by_alexeyabs_darknet_fails_the_size_check_rather_than_converting_wrongly()
    {
        // pjreddie stores gamma, mean, variance (3·c); AlexeyAB's save_batchnorm_weights writes beta first (4·c).
        var layout = Parse(Conv8 + "[batchnorm]\n");
        Assert.Equal(3 * 8, layout.Layers[1].FloatCount);
        using var weights = SyntheticWeights.Open(layout.FloatCount() + 8, SyntheticWeights.Header(0, 2, 5));
        var e = Assert.Throws<DarknetException>(() => DarknetConverter.Convert(layout, weights, weights.Length, new ListSink(), new ConversionOptions()));
        Assert.Equal(ErrorCodes.LeftoverFloats, e.Code);
    }
}
