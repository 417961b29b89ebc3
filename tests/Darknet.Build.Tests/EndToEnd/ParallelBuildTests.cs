using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class ParallelBuildTests
{
    private readonly EndToEndFixture _fixture;

    public ParallelBuildTests(EndToEndFixture fixture) => _fixture = fixture;

    /// <summary>dotnet build -m of three projects wanting the same model on a cold cache: one download, three outputs.</summary>
    [Fact]
    public void ThreeProjectsOnAColdCacheDownloadOnce()
    {
        var mirror = _fixture.ServeTiny("parallel");
        var root = _fixture.NewDirectory("parallel");
        var cache = _fixture.NewDirectory("parallel-cache");
        var names = new[] { "ParallelA", "ParallelB", "ParallelC" };
        var projects = names.Select(name => _fixture.CreateProject(name, cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""",
            $"<DarknetMirror>{mirror}</DarknetMirror>", Path.Combine(root, name))).ToList();
        TestProject.WriteNuGetConfig(_fixture, root);
        File.WriteAllText(Path.Combine(root, "all.slnx"),
            "<Solution>\n" + string.Concat(names.Select(n => $"  <Project Path=\"{n}/{n}.csproj\" />\n")) + "</Solution>\n");

        Succeeded(TestProject.Run(_fixture, root, cache, "build", "all.slnx", "-m:3"));

        foreach (var project in projects)
            Assert.True(File.Exists(Path.Combine(project.BinDirectory, "yolov3-tiny.npy")), project.Name);
        Assert.Equal(1, _fixture.Server.RequestCount("parallel/yolov3-tiny.weights"));
    }
}
