using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class CustomModelTests
{
    /// <summary>A small custom network (also used by HttpPolicyTests).</summary>
    internal const string TinyCfg = """
        [net]
        width=32
        height=32
        channels=3

        [convolutional]
        batch_normalize=1
        filters=8
        size=3
        stride=1
        pad=1
        activation=leaky

        [maxpool]
        size=2
        stride=2

        [convolutional]
        batch_normalize=1
        filters=16
        size=3
        stride=1
        pad=1
        activation=leaky

        [convolutional]
        filters=4
        size=1
        stride=1
        pad=1
        activation=linear
        """;

    private readonly EndToEndFixture _fixture;

    public CustomModelTests(EndToEndFixture fixture) => _fixture = fixture;

    [SkippableFact]
    public void LocalWeightsFileAndConfigWithLayersAsNpz()
    {
        var directory = _fixture.NewDirectory("custom");
        var layout = NetworkLayout.FromCfg(TinyCfg, "tiny.cfg");
        var weights = SyntheticWeights.OfSize("mynet.weights", DarknetConverter.ExpectedFileSize(layout, 20, null), seed: 7);
        File.WriteAllText(Path.Combine(directory, "tiny.cfg"), TinyCfg);
        File.WriteAllBytes(Path.Combine(directory, "mynet.weights"), weights.Bytes);
        var requestsBefore = _fixture.Server.TotalRequests;

        var app = _fixture.CreateProject("CustomApp", _fixture.NewDirectory("custom-cache"),
            """<DarknetModel Include="mynet" WeightsFile="mynet.weights" Config="tiny.cfg" Layers="2" Format="npz" />""",
            directory: directory);
        Succeeded(app.Build());

        var output = Path.Combine(app.BinDirectory, "mynet.npz");
        Assert.True(File.Exists(output), output);
        Assert.Equal(LayerNaming.NamesFor(layout).Take(2), NumpyLayerNames(output));
        Assert.Equal(requestsBefore, _fixture.Server.TotalRequests);
    }
}
