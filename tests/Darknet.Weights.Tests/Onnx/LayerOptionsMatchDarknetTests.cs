using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// Small cfgs that each exercise one layer option or activation darknet has, exported and compared with Debian's
/// darknet on the same input and weights (the network output, which darknet gives for the last non-cost layer).
/// </summary>
public sealed class LayerOptionsMatchDarknetTests
{
    private readonly ITestOutputHelper _output;

    public LayerOptionsMatchDarknetTests(ITestOutputHelper output) => _output = output;

    private const string Net = "[net]\nwidth=20\nheight=14\nchannels=3\n";

    private static string Conv(int filters, string activation, int size = 3, int stride = 1, bool bn = true) =>
        $"[convolutional]\nbatch_normalize={(bn ? 1 : 0)}\nfilters={filters}\nsize={size}\nstride={stride}\npad=1\nactivation={activation}\n";

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var activation in new[] { "logistic", "loggy", "relu", "elu", "selu", "relie", "plse", "hardtan", "lhtan", "linear", "ramp", "leaky", "tanh" })
            data.Add("activation " + activation, Net + Conv(8, activation) + Conv(6, activation, bn: false));
        data.Add("maxpool size 3 stride 2, odd sizes", Net + Conv(4, "leaky") + "[maxpool]\nsize=3\nstride=2\n" + Conv(4, "linear", bn: false));
        data.Add("maxpool size 2 stride 1 (yolov3-tiny)", Net + Conv(4, "leaky") + "[maxpool]\nsize=2\nstride=1\n");
        data.Add("maxpool explicit padding", Net + Conv(4, "leaky") + "[maxpool]\nsize=3\nstride=2\npadding=1\n");
        data.Add("maxpool size 5 stride 1 (spp)", Net + Conv(4, "leaky") + "[maxpool]\nsize=5\nstride=1\n");
        data.Add("strided conv without pad", Net + "[convolutional]\nfilters=5\nsize=3\nstride=2\nactivation=leaky\n");
        data.Add("conv padding=2 size 5", Net + "[convolutional]\nfilters=5\nsize=5\npadding=2\nactivation=leaky\n");
        data.Add("grouped conv", Net + Conv(8, "leaky") + "[convolutional]\nbatch_normalize=1\nfilters=8\ngroups=4\nsize=3\npad=1\nactivation=leaky\n");
        data.Add("shortcut, fewer channels from, alpha beta, activation",
            Net + Conv(4, "leaky") + Conv(8, "leaky") + "[shortcut]\nfrom=-2\nalpha=0.5\nbeta=2\nactivation=logistic\n");
        data.Add("shortcut, more channels from", Net + Conv(8, "leaky") + Conv(4, "leaky") + "[shortcut]\nfrom=-2\nactivation=leaky\n");
        data.Add("shortcut from a larger layer", Net + Conv(4, "leaky") + Conv(4, "leaky", stride: 2) + "[shortcut]\nfrom=-2\n");
        data.Add("route of three, upsample with scale",
            Net + Conv(4, "leaky") + Conv(6, "leaky", stride: 2) + "[upsample]\nstride=2\nscale=0.5\n" + "[route]\nlayers=-1,0,-3\n" + Conv(5, "linear", 1, bn: false));
        data.Add("reorg reverse=1 (depth to space)", "[net]\nwidth=10\nheight=6\nchannels=3\n" + Conv(8, "leaky") + "[reorg]\nstride=2\nreverse=1\n" + Conv(4, "linear", 1, bn: false));
        data.Add("reorg reverse=1 stride 3", "[net]\nwidth=4\nheight=3\nchannels=3\n" + Conv(18, "leaky") + "[reorg]\nstride=3\nreverse=1\n");
        data.Add("reorg stride 2", "[net]\nwidth=16\nheight=12\nchannels=3\n" + Conv(8, "leaky") + "[reorg]\nstride=2\n" + Conv(4, "linear", 1, bn: false));
        data.Add("avgpool, connected with batch norm, dropout, softmax",
            Net + Conv(8, "leaky", stride: 2) + "[connected]\noutput=12\nbatch_normalize=1\nactivation=leaky\n" + "[dropout]\nprobability=.5\n" + "[connected]\noutput=6\nactivation=linear\n[softmax]\n");
        data.Add("softmax groups and temperature", Net + Conv(8, "leaky") + "[avgpool]\n[softmax]\ngroups=2\ntemperature=3\n");
        data.Add("region with logistic classes", Net + Conv(8, "leaky") + Conv(2 * (4 + 1 + 3), "linear", 1, bn: false) + "[region]\nclasses=3\nnum=2\ncoords=4\n");
        data.Add("cost after the output layer", Net + Conv(8, "leaky") + "[avgpool]\n[softmax]\n[cost]\n");
        data.Add("xnor convs: with batch norm, padding and stride 2; without, 1x1",
            Net + Conv(8, "leaky") + "[convolutional]\nxnor=1\nbatch_normalize=1\nfilters=6\nsize=3\nstride=2\npad=1\nactivation=leaky\n"
            + "[convolutional]\nxnor=1\nfilters=5\nsize=1\nactivation=linear\n");
        data.Add("xnor conv of a 5x5 kernel, padding=2, after relu and a maxpool (zeros binarize to -1)",
            Net + Conv(4, "relu") + "[maxpool]\nsize=2\nstride=2\n" + "[convolutional]\nxnor=1\nbatch_normalize=1\nfilters=3\nsize=5\npadding=2\nactivation=logistic\n");
        data.Add("flipped conv (weights stored transposed)", Net + Conv(4, "leaky") + "[convolutional]\nflipped=1\nfilters=6\nsize=3\npad=1\nactivation=leaky\n");
        data.Add("flipped conv with batch norm, 1x1", Net + "[convolutional]\nflipped=1\nbatch_normalize=1\nfilters=5\nsize=1\nactivation=linear\n");
        data.Add("crop, odd margins, mapped to [-1, 1]", Net + "[crop]\ncrop_width=15\ncrop_height=9\nflip=1\n" + Conv(4, "leaky"));
        data.Add("crop noadjust, after a conv", Net + Conv(4, "leaky") + "[crop]\ncrop_width=16\ncrop_height=11\nnoadjust=1\n" + Conv(3, "linear", bn: false));
        data.Add("detection with softmax (YOLOv1's head)",
            Net + Conv(8, "leaky", stride: 2) + "[connected]\noutput=117\nactivation=linear\n" + "[detection]\nclasses=3\ncoords=4\nnum=2\nside=3\nsoftmax=1\n");
        data.Add("detection with softmax on a conv, class runs across channels",
            "[net]\nwidth=4\nheight=4\nchannels=3\n" + Conv(2, "linear", 1, bn: false) + "[detection]\nclasses=3\ncoords=4\nnum=1\nside=2\nsoftmax=1\n");
        data.Add("detection without softmax", Net + Conv(8, "leaky", stride: 2) + "[connected]\noutput=343\nactivation=leaky\n" + "[detection]\nclasses=2\ncoords=4\nnum=1\nside=7\n");
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void The_output_equals_darknets(string what, string cfgText)
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var source = temp.File("case.cfg");
        File.WriteAllText(source, cfgText);
        var network = new TestNetwork(temp, source, network: true);
        OnnxExporter.ExportFile(network.CfgPath, network.WeightsPath, network.OnnxPath);
        var (name, shape, values) = Assert.Single(OnnxRun.Run(network.OnnxPath, network.Input, network.Layout.Channels, network.Height, network.Width));
        var expected = DarknetLibrary.Predict(network.CfgPath, network.WeightsPath, network.Input, values.Length);
        var error = OnnxRun.MaxRelativeError(values, expected);
        _output.WriteLine($"{what}: {name} [{string.Join(",", shape)}] max relative error {error:E2}");
        Assert.True(error <= MatchesDarknetTests.Tolerance, $"{what}: max relative error {error:E3}");
    }
}
