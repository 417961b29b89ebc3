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

        var result = app.Msbuild("-restore", "-t:AssignTargetPaths", "-p:DesignTimeBuild=true", "-getItem:ContentWithTargetPath");

        Succeeded(result);
        Assert.Contains("yolov3-tiny.npy", result.Output);
        Assert.Equal(0, _fixture.Server.RequestCount("designtime/yolov3-tiny.weights"));
    }
}
