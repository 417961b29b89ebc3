using System.Text.Json;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class DesignTimeBuildTests
{
    private readonly EndToEndFixture _fixture;

    public DesignTimeBuildTests(EndToEndFixture fixture) => _fixture = fixture;

    /// <summary>An IDE's design-time build sees the model as content but never downloads it.</summary>
    [Fact]
    public void DesignTimeBuildListsTheContentAndSendsNoRequest()
    {
        var mirror = _fixture.ServeTiny("designtime");
        var app = _fixture.CreateProject("DesignTimeApp", _fixture.NewDirectory("designtime-cache"),
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");

        var result = app.Msbuild("-restore", "-t:AssignTargetPaths", "-p:DesignTimeBuild=true", "-getItem:ContentWithTargetPath,UpToDateCheckBuilt");

        Succeeded(result);
        var items = JsonDocument.Parse(result.Output[result.Output.IndexOf('{')..]).RootElement.GetProperty("Items");
        var content = items.GetProperty("ContentWithTargetPath").EnumerateArray()
            .Single(i => i.GetProperty("Identity").GetString()!.EndsWith("yolov3-tiny.npy", StringComparison.Ordinal));
        Assert.Equal("yolov3-tiny.npy", content.GetProperty("TargetPath").GetString());
        Assert.Equal("PreserveNewest", content.GetProperty("CopyToOutputDirectory").GetString());
        Assert.Contains(items.GetProperty("UpToDateCheckBuilt").EnumerateArray(),
            i => i.GetProperty("FullPath").GetString() == Path.Combine(app.ObjModelDirectory, "yolov3-tiny.npy"));
        Assert.False(File.Exists(Path.Combine(app.ObjModelDirectory, "yolov3-tiny.npy")), "a design-time build writes no model");
        Assert.Equal(0, _fixture.Server.RequestCount("designtime/yolov3-tiny.weights"));
    }

    /// <summary>Visual Studio's fast up-to-date check sees a custom model's local WeightsFile and Config as inputs.</summary>
    [Fact]
    public void LocalWeightsFileAndConfigAreUpToDateCheckInputs()
    {
        var directory = _fixture.NewDirectory("uptodate");
        var app = _fixture.CreateProject("UpToDateApp", _fixture.NewDirectory("uptodate-cache"),
            """<DarknetModel Include="mynet" WeightsFile="models/mynet.weights" Config="models/mynet.cfg" />""", directory: directory);

        var result = app.Msbuild("-restore", "-t:DarknetResolveModels",
            "-p:DesignTimeBuild=true", "-getItem:UpToDateCheckInput,UpToDateCheckBuilt");

        Succeeded(result);
        var items = JsonDocument.Parse(result.Output[result.Output.IndexOf('{')..]).RootElement.GetProperty("Items");
        var inputs = items.GetProperty("UpToDateCheckInput").EnumerateArray().Select(i => i.GetProperty("FullPath").GetString()).ToList();
        Assert.Contains(Path.Combine(directory, "models", "mynet.weights"), inputs);
        Assert.Contains(Path.Combine(directory, "models", "mynet.cfg"), inputs);
        Assert.Contains(items.GetProperty("UpToDateCheckBuilt").EnumerateArray(),
            i => i.GetProperty("FullPath").GetString() == Path.Combine(app.ObjModelDirectory, "mynet.npy"));
    }
}
