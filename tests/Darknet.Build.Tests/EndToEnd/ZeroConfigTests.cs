using Darknet.Weights.Models;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// &lt;DarknetModel Include="yolov3-tiny" /&gt; through a project's life: build, a second build that does nothing,
/// publish, clean, and a second project on the same machine cache.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ZeroConfigTests
{
    private readonly EndToEndFixture _fixture;

    public ZeroConfigTests(EndToEndFixture fixture) => _fixture = fixture;

    [SkippableFact]
    public void BuildPublishCleanAndASecondProjectShareOneDownload()
    {
        var mirror = _fixture.ServeTiny("zero");
        var path = "zero/yolov3-tiny.weights";
        var cache = _fixture.NewDirectory("zero-cache");
        var items = $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""";
        var properties = $"<DarknetMirror>{mirror}</DarknetMirror>";
        var app = _fixture.CreateProject("ZeroApp", cache, items, properties);

        // Build: the file is in bin, and numpy reads it with the catalog's layer names.
        var first = app.Build();
        Succeeded(first);
        Assert.Contains("Darknet: Downloaded yolov3-tiny.weights (35.4 MB)", first.Output);  // progress is logged at high importance
        Assert.Contains("Converting yolov3-tiny.weights to yolov3-tiny.npy", first.Output);  // so its absence below means something
        var binFile = Path.Combine(app.BinDirectory, "yolov3-tiny.npy");
        var objFile = Path.Combine(app.ObjModelDirectory, "yolov3-tiny.npy");
        Assert.True(File.Exists(binFile), binFile);
        Assert.Equal(ModelCatalog.Find("yolov3-tiny")!.LayerNames, NumpyLayerNames(binFile));
        var requests = _fixture.Server.RequestCount(path);
        Assert.True(requests >= 1);

        // A second build sends no request and rewrites nothing.
        var objTime = File.GetLastWriteTimeUtc(objFile);
        var binTime = File.GetLastWriteTimeUtc(binFile);
        var second = app.Build();
        Succeeded(second);
        Assert.Equal(requests, _fixture.Server.RequestCount(path));
        Assert.Equal(objTime, File.GetLastWriteTimeUtc(objFile));
        Assert.Equal(binTime, File.GetLastWriteTimeUtc(binFile));
        Assert.DoesNotContain("Converting", second.Output);

        // Publish output has it too.
        var publish = Path.Combine(app.Directory, "published");
        Succeeded(app.Publish(publish));
        Assert.True(File.Exists(Path.Combine(publish, "yolov3-tiny.npy")));

        // Clean removes the project's copies, never the machine cache.
        Succeeded(app.Clean());
        Assert.False(File.Exists(objFile), objFile);
        Assert.False(File.Exists(binFile), binFile);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(cache, "weights"), "yolov3-tiny.weights", SearchOption.AllDirectories));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(cache, "converted"), "yolov3-tiny.npy", SearchOption.AllDirectories));

        // Offline, a cache hit builds (and puts the file back after the clean).
        Succeeded(app.Build("-p:DarknetOffline=true"));
        Assert.True(File.Exists(binFile), binFile);

        // Another project on the same machine cache: no request at all, and no conversion either.
        var other = _fixture.CreateProject("ZeroOther", cache, items, properties);
        var otherBuild = other.Build();
        Succeeded(otherBuild);
        Assert.True(File.Exists(Path.Combine(other.BinDirectory, "yolov3-tiny.npy")));
        Assert.Equal(requests, _fixture.Server.RequestCount(path));
        Assert.DoesNotContain("Converting", otherBuild.Output);
        Assert.Single(Directory.GetFiles(Path.Combine(cache, "converted"), "yolov3-tiny.npy", SearchOption.AllDirectories));
    }
}
