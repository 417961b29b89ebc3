using Darknet.Testing;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights.IO;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19, Must 5, the case <see cref="RestoredObjTests"/> did not reach: a CI job restores obj/ into a fresh checkout
/// at another path on a fresh machine (its NuGet packages extracted anew, so the package's targets are newer than every
/// restored file and the acquire step runs), with an empty machine cache, offline. Before: the resolve step kept the
/// restored file (hashed against its record), then the acquire step asked the empty cache for the weights: DKN4006.
/// Now the kept file is offered to the cache as the converted entry its record names, and a second project on that
/// machine builds offline from the cache.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RestoredObjIntoFreshMachineTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public RestoredObjIntoFreshMachineTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [SkippableTheory]
    [InlineData("tar")]
    [InlineData("tar --no-same-owner")]
    [InlineData("cp -a")]
    public void A_restored_obj_builds_offline_on_an_empty_cache_and_seeds_it_for_the_next_project(string restore)
    {
        Skip.IfNot(OperatingSystem.IsLinux() && FileIdentity.Of(typeof(RestoredObjIntoFreshMachineTests).Assembly.Location) != null,
            "obj/ files are links with records on Linux only");
        var sha = _fixture.Tiny.Sha256;
        var prefix = "restored-fresh-" + restore.Replace(' ', '-');
        var mirror = _fixture.ServeTiny(prefix);
        var items = $"""<DarknetModel Include="yolov3-tiny" Sha256="{sha}" />""";
        var properties = $"<DarknetMirror>{mirror}</DarknetMirror>";
        var first = _fixture.CreateProject("RestoredFreshApp", _fixture.NewDirectory("restored-fresh-cache"), items, properties);
        Succeeded(first.Build());
        var built = File.ReadAllBytes(Path.Combine(first.ObjModelDirectory, "yolov3-tiny.npy"));

        // The fresh runner: the checkout at another path, obj/ restored into it, a machine cache that is empty.
        var cache = _fixture.NewDirectory("restored-fresh-empty-cache");
        var app = _fixture.CreateProject("RestoredFreshApp", cache, items, properties);
        Restore(restore, Path.Combine(first.Directory, "obj"), app.Directory);
        // Every restored file older than the package the runner just extracted.
        var old = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var file in FilesUnder(Path.Combine(app.Directory, "obj"))) File.SetLastWriteTimeUtc(file, old);
        var requests = _fixture.Server.RequestCount(prefix + "/" + _fixture.Tiny.FileName);

        var offline = app.Build("-p:DarknetOffline=true");
        _output.WriteLine(offline.ToString());

        Succeeded(offline);
        Assert.Equal(built, File.ReadAllBytes(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
        var entry = Assert.Single(Directory.GetFiles(Path.Combine(cache, "converted"), "yolov3-tiny.npy", SearchOption.AllDirectories));
        Assert.Equal(built, File.ReadAllBytes(entry));

        // The next project on that machine: offline, from the cache the restored file seeded.
        var next = _fixture.CreateProject("RestoredFreshNext", cache, items, properties);
        var nextBuild = next.Build("-p:DarknetOffline=true");
        _output.WriteLine(nextBuild.ToString());
        Succeeded(nextBuild);
        Assert.Equal(built, File.ReadAllBytes(Path.Combine(next.BinDirectory, "yolov3-tiny.npy")));
        Assert.Equal(requests, _fixture.Server.RequestCount(prefix + "/" + _fixture.Tiny.FileName));
    }

    private void Restore(string how, string objDirectory, string checkout)
    {
        if (how == "cp -a")
        {
            Assert.Equal(0, ProcessRun.Run("cp", "-a", objDirectory, checkout).Exit);
            return;
        }
        var archive = Path.Combine(_fixture.NewDirectory("restored-fresh-tar"), "obj.tar");
        Assert.Equal(0, ProcessRun.Run("tar", "-cf", archive, "-C", Path.GetDirectoryName(objDirectory)!, "obj").Exit);
        var extract = how == "tar" ? new[] { "-xf", archive, "-C", checkout } : new[] { "--no-same-owner", "-xf", archive, "-C", checkout };
        Assert.Equal(0, ProcessRun.Run("tar", extract).Exit);
    }
}
