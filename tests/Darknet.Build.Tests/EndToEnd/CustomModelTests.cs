using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

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

    /// <summary>Writes tiny.cfg and mynet.weights (synthetic, the size the cfg implies plus <paramref name="sizeAdjustment"/>) into <paramref name="directory"/>.</summary>
    private static NetworkLayout WriteTinyModel(string directory, int seed, long sizeAdjustment = 0)
    {
        var layout = NetworkLayout.FromCfg(TinyCfg, "tiny.cfg");
        File.WriteAllText(Path.Combine(directory, "tiny.cfg"), TinyCfg);
        var size = DarknetConverter.ExpectedFileSize(layout, 20, null) + sizeAdjustment;
        File.WriteAllBytes(Path.Combine(directory, "mynet.weights"), SyntheticWeights.OfSize("mynet.weights", size, seed).Bytes);
        return layout;
    }

    [SkippableFact]
    public void LocalWeightsFileAndConfigWithLayersAsNpz()
    {
        var directory = _fixture.NewDirectory("custom");
        var layout = WriteTinyModel(directory, seed: 7);
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

    /// <summary>Changing an item's metadata (here Layers) re-runs the acquire step; an unchanged project does not.</summary>
    [SkippableFact]
    public void ChangedMetadataRebuildsTheOutput()
    {
        var directory = _fixture.NewDirectory("custom-layers");
        var layout = WriteTinyModel(directory, seed: 9);
        var cache = _fixture.NewDirectory("custom-layers-cache");
        TestProject Project(int layers) => _fixture.CreateProject("LayersApp", cache,
            $"""<DarknetModel Include="mynet" WeightsFile="mynet.weights" Config="tiny.cfg" Layers="{layers}" />""", directory: directory);

        var app = Project(2);
        Succeeded(app.Build());
        var output = Path.Combine(app.BinDirectory, "mynet.npy");
        Assert.Equal(LayerNaming.NamesFor(layout).Take(2), NumpyLayerNames(output));

        Project(3);
        var rebuilt = app.Build();
        Succeeded(rebuilt);
        Assert.Contains("Converting mynet.weights to mynet.npy", rebuilt.Output);
        Assert.Equal(LayerNaming.NamesFor(layout).Take(3), NumpyLayerNames(output));
    }

    /// <summary>The core library's conversion errors reach the build as coded MSBuild errors.</summary>
    [Fact]
    public void ATruncatedWeightsFileIsACodedBuildError()
    {
        var directory = _fixture.NewDirectory("custom-short");
        WriteTinyModel(directory, seed: 9, sizeAdjustment: -400);
        var app = _fixture.CreateProject("ShortApp", _fixture.NewDirectory("custom-short-cache"),
            """<DarknetModel Include="mynet" WeightsFile="mynet.weights" Config="tiny.cfg" />""", directory: directory);

        var result = app.Build();

        FailedWith(result, ErrorCodes.WeightsTooShort);
        Assert.False(File.Exists(Path.Combine(app.ObjModelDirectory, "mynet.npy")), "nothing under the final name");
    }
}
