using Darknet.Testing;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19, Must 7 (c), docs/fleet.md's "An HTTP artifact store as DarknetMirror": `darknet fetch` seeds a cache where
/// the upstream hosts are reachable; each `weights/*/*.weights` file of it is uploaded under its own name to a generic
/// repository (Artifactory/Nexus "generic" or "raw": a file per URL, the mirror's layout); builds with DarknetMirror set
/// to that repository and an empty cache get the file from it. The loopback server stands in for both hosts.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ArtifactStoreRecipeTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public ArtifactStoreRecipeTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public void Files_darknet_fetch_put_in_the_cache_served_under_their_names_are_a_mirror_builds_use()
    {
        var fleet = File.ReadAllText(Path.Combine(PackedPackage.RepositoryRoot(), "docs", "fleet.md"));
        Assert.Contains("darknet fetch yolov3 yolov3-tiny --cache ./seed", fleet, StringComparison.Ordinal);
        Assert.Contains("./seed/weights/*/*.weights", fleet, StringComparison.Ordinal);
        Assert.Contains("$(basename \"$f\")", fleet, StringComparison.Ordinal);

        var sha = _fixture.Tiny.Sha256;
        var upstream = _fixture.ServeTiny("artifact-upstream");
        var seed = _fixture.NewDirectory("artifact-seed");
        var fetch = ProcessRun.Run("dotnet", "exec", Path.Combine(AppContext.BaseDirectory, "darknet.dll"),
            "fetch", "yolov3-tiny", "--cache", seed, "--mirror", upstream, "--sha256", sha);
        Assert.True(fetch.Exit == 0, fetch.ToString());

        // The upload loop: every weights file under its own name in the generic repository.
        var files = Directory.GetFiles(Path.Combine(seed, "weights"), "*.weights", SearchOption.AllDirectories);
        Assert.Equal(Path.Combine(seed, "weights"), Path.GetDirectoryName(Path.GetDirectoryName(Assert.Single(files))));
        foreach (var file in files) _fixture.Server.Serve("artifactory/darknet-generic/" + Path.GetFileName(file), File.ReadAllBytes(file));
        var store = _fixture.Server.Url("artifactory/darknet-generic/");

        var app = _fixture.CreateProject("ArtifactStoreApp", _fixture.NewDirectory("artifact-cache"),
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{sha}" />""");
        var build = app.Build("-p:DarknetMirror=" + store);
        _output.WriteLine(build.ToString());

        Succeeded(build);
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
        Assert.Equal(1, _fixture.Server.RequestCount("artifactory/darknet-generic/" + _fixture.Tiny.FileName));
    }
}
