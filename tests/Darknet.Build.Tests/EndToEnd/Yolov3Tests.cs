using Darknet.Weights.Models;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>The flagship at full size: &lt;DarknetModel Include="yolov3" /&gt; with a 248 MB weights file.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class Yolov3Tests
{
    private readonly EndToEndFixture _fixture;

    public Yolov3Tests(EndToEndFixture fixture) => _fixture = fixture;

    [SkippableFact]
    public void Yolov3AtFullSizeHasTheSeedsLayerNames()
    {
        var weights = SyntheticWeights.ForBuiltIn("yolov3", seed: 3);
        _fixture.Server.Serve("yolov3/" + weights.FileName, weights.Bytes);
        var app = _fixture.CreateProject("Yolov3App", _fixture.NewDirectory("yolov3-cache"),
            $"""<DarknetModel Include="yolov3" Sha256="{weights.Sha256}" />""",
            $"<DarknetMirror>{_fixture.Server.Url("yolov3/")}</DarknetMirror>");

        Succeeded(app.Build());

        var output = Path.Combine(app.BinDirectory, "yolov3.npy");
        var names = NumpyLayerNames(output);
        Assert.Equal(ModelCatalog.Find("yolov3")!.LayerNames, names);
        Assert.Equal(75, names.Count);
        Assert.Contains("conv_52", names);
        Assert.Contains("conv_3_7", names);
        Assert.Equal(1, _fixture.Server.RequestCount("yolov3/yolov3.weights"));
    }
}
