using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class DownloadFallbackTests
{
    private readonly EndToEndFixture _fixture;

    public DownloadFallbackTests(EndToEndFixture fixture) => _fixture = fixture;

    /// <summary>What pjreddie.com does today: an HTML page instead of the weights; the next URL has the file.</summary>
    [Fact]
    public void HtmlPageOnTheFirstUrlFallsBackToTheSecond()
    {
        _fixture.ServeTiny("html-first");
        _fixture.ServeTiny("html-second");
        _fixture.Server.SendHtml("html-first/yolov3-tiny.weights");
        var urls = _fixture.Server.Url("html-first/yolov3-tiny.weights") + ";" + _fixture.Server.Url("html-second/yolov3-tiny.weights");
        var app = _fixture.CreateProject("FallbackApp", _fixture.NewDirectory("fallback-cache"),
            $"""<DarknetModel Include="yolov3-tiny" WeightsUrl="{urls}" Sha256="{_fixture.Tiny.Sha256}" />""");

        Succeeded(app.Build());

        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
        Assert.True(_fixture.Server.RequestCount("html-first/yolov3-tiny.weights") >= 1);
        Assert.Equal(1, _fixture.Server.RequestCount("html-second/yolov3-tiny.weights"));
    }
}
