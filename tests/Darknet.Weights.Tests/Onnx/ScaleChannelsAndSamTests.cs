using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// AlexeyAB's [scale_channels] (a squeeze-and-excitation block) and [sam] on a small cfg of their own, against OpenCV's
/// Darknet importer (Debian's darknet does not know them; efficientnet_b0 and enet-coco in MatchesOpenCvTests use
/// scale_channels too).
/// </summary>
public sealed class ScaleChannelsAndSamTests
{
    private const string Cfg = """
        [net]
        width=16
        height=12
        channels=3

        [convolutional]
        batch_normalize=1
        filters=8
        size=3
        pad=1
        activation=leaky

        [avgpool]

        [convolutional]
        filters=8
        size=1
        activation=logistic

        [scale_channels]
        from=-3

        [convolutional]
        filters=8
        size=1
        activation=logistic

        [sam]
        from=-2

        [convolutional]
        filters=4
        size=1
        activation=linear
        """;

    private readonly ITestOutputHelper _output;

    public ScaleChannelsAndSamTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public void The_output_equals_opencvs()
    {
        OpenCvDarknet.Require();
        using var temp = new TempDirectory();
        var source = temp.File("se.cfg");
        File.WriteAllText(source, Cfg);
        var network = new TestNetwork(temp, source, network: true);
        OnnxExporter.ExportFile(network.CfgPath, network.WeightsPath, network.OnnxPath);

        var (name, shape, values) = Assert.Single(OnnxRun.Run(network.OnnxPath, network.Input, 3, 12, 16));
        Assert.Equal("conv_6", name);
        Assert.Equal(new[] { 1, 4, 12, 16 }, shape);
        var expected = OpenCvDarknet.Forward(network, temp.Path, "conv_6")[0];
        var error = OnnxRun.MaxRelativeError(values, expected);
        _output.WriteLine($"scale_channels + sam: {name} max relative error {error:E2}");
        Assert.True(error <= MatchesDarknetTests.Tolerance, $"max relative error {error:E3}");
    }
}
