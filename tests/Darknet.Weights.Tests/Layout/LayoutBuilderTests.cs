using Darknet.Weights;
using Darknet.Weights.Layout;
using Xunit;

namespace Darknet.Weights.Tests.Layout;

public class LayoutBuilderTests
{
    [Fact]
    public void Builds_the_same_layout_as_the_equivalent_cfg()
    {
        var built = new LayoutBuilder(16, 16).Conv(8, 3).Conv(16, 3, 2).Residual(16, 1).MaxPool(2, 2).Route(-2, -3).Build();
        var parsed = NetworkLayout.FromCfg(
            "[net]\nwidth=16\nheight=16\nchannels=3\n" +
            "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n" +
            "[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=2\npad=1\nactivation=leaky\n" +
            "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=1\nstride=1\npad=1\nactivation=leaky\n" +
            "[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=1\npad=1\nactivation=leaky\n" +
            "[shortcut]\nfrom=-3\n" +
            "[maxpool]\nsize=2\nstride=2\n" +
            "[route]\nlayers=-2,-3\n",
            "t.cfg");

        Assert.Equal(parsed.Layers.Select(Describe), built.Layers.Select(Describe));
        Assert.All(built.Layers, l => Assert.Equal(0, l.Line));
    }

    [Fact]
    public void Route_with_mismatched_sizes_in_code_fails_like_in_a_cfg()
    {
        var builder = new LayoutBuilder(16, 16).Conv(8, 3).Conv(8, 3, 2);
        var e = Assert.Throws<DarknetException>(() => builder.Route(-1, -2));
        Assert.Equal(ErrorCodes.BadRoute, e.Code);
        Assert.StartsWith("built-in layout: [route]", e.Message);
    }

    [Fact]
    public void An_empty_network_cannot_be_built()
    {
        Assert.Equal(ErrorCodes.MalformedCfg, Assert.Throws<DarknetException>(() => new LayoutBuilder(8, 8).Build()).Code);
    }

    private static string Describe(LayerInfo l) => l.ToString();
}
