using Darknet.Testing;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19, Must 7 (a), docs/fleet.md's "A read-only cache baked into an image": the image's build fills a cache (weights
/// and conversions), the jobs mount it read-only (as root, only a read-only file system stops writes: a tmpfs remounted
/// ro here) and build offline from it: the build succeeds without a request, and the cache's files, sizes and times stay
/// exactly as they were.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BakedCacheRecipeTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public BakedCacheRecipeTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [SkippableFact]
    public void A_job_builds_offline_from_a_read_only_baked_cache_and_writes_nothing_there()
    {
        var fleet = File.ReadAllText(Path.Combine(PackedPackage.RepositoryRoot(), "docs", "fleet.md"));
        Assert.Contains("DARKNET_CACHE_DIR=/opt/darknet-cache dotnet build", fleet, StringComparison.Ordinal);
        Assert.Contains("DARKNET_CACHE_DIR=/opt/darknet-cache dotnet build -p:DarknetOffline=true", fleet, StringComparison.Ordinal);

        using var mount = new TmpfsMount("size=128m");
        var cache = Path.Combine(mount.Path, "darknet-cache");
        var mirror = _fixture.ServeTiny("baked");
        var items = $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""";
        var properties = $"<DarknetMirror>{mirror}</DarknetMirror>";
        // The image's build: the project (or one that lists the same models) built once, online.
        var image = _fixture.CreateProject("BakedImage", cache, items, properties);
        Succeeded(image.Build());
        var built = File.ReadAllBytes(Path.Combine(image.BinDirectory, "yolov3-tiny.npy"));
        mount.MakeReadOnly();
        var before = Snapshot(cache);
        var requests = _fixture.Server.RequestCount("baked/" + _fixture.Tiny.FileName);

        var job = _fixture.CreateProject("BakedJob", cache, items, properties);
        var result = job.Build("-p:DarknetOffline=true");
        _output.WriteLine(result.ToString());

        Succeeded(result);
        Assert.Equal(built, File.ReadAllBytes(Path.Combine(job.BinDirectory, "yolov3-tiny.npy")));
        Assert.Equal(before, Snapshot(cache));
        Assert.Equal(requests, _fixture.Server.RequestCount("baked/" + _fixture.Tiny.FileName));
    }

    private static string Snapshot(string directory) =>
        string.Join("\n", Directory.GetFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => new FileInfo(p))
            .Select(f => $"{f.FullName} {(f.Attributes.HasFlag(FileAttributes.Directory) ? -1 : f.Length)} {f.LastWriteTimeUtc:O}"));
}
