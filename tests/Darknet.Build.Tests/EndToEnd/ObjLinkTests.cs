using Darknet.Build.Tasks;
using Darknet.Weights;
using Darknet.Weights.IO;
using Darknet.Weights.Layout;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 8 through real builds of the packed package: obj/ holds a hard link to the verified cache entry (no copy), bin/
/// its usual real copy; MSBuild's timestamp checks still see a switched model, and a write through the link never ships.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ObjLinkTests
{
    private const string Cfg = CustomModelTests.TinyCfg;
    private readonly EndToEndFixture _fixture;

    public ObjLinkTests(EndToEndFixture fixture) => _fixture = fixture;

    private static void SkipUnlessLinux() =>
        Skip.IfNot(OperatingSystem.IsLinux() && FileIdentity.Of(typeof(ObjLinkTests).Assembly.Location) != null,
            "obj/ files are hard links only where the cache can read file identities (Linux statx)");

    private TestProject CustomProject(string name, string cache, string weightsUrl) =>
        CacheTrustTests.CustomProject(_fixture, name, cache, weightsUrl);

    private (SyntheticWeights Weights, string Url) Served(string folder, int seed)
    {
        var weights = SyntheticWeights.OfSize(folder + ".weights", CacheTrustTests.TinySize, seed);
        _fixture.Server.Serve(folder + "/" + weights.FileName, weights.Bytes);
        return (weights, _fixture.Server.Url(folder + "/" + weights.FileName));
    }

    private byte[] Expected(SyntheticWeights weights)
    {
        var directory = _fixture.NewDirectory("expected");
        var path = Path.Combine(directory, weights.FileName);
        File.WriteAllBytes(path, weights.Bytes);
        var output = Path.Combine(directory, "expected.npy");
        DarknetConverter.ConvertFile(NetworkLayout.FromCfg(Cfg, "tiny.cfg"), path, output, new ConversionOptions());
        return File.ReadAllBytes(output);
    }

    private static string ConvertedEntry(string cache, byte[] content) =>
        Directory.GetFiles(Path.Combine(cache, "converted"), "mynet.npy", SearchOption.AllDirectories)
            .Single(path => File.ReadAllBytes(path).AsSpan().SequenceEqual(content));

    private static bool SameFile(string a, string b) =>
        FileStatus.Of(a, followLinks: false).IsSameFile(FileStatus.Of(b, followLinks: false));

    private static void SwitchWeightsUrl(TestProject app, string from, string to) =>
        File.WriteAllText(app.ProjectPath, File.ReadAllText(app.ProjectPath).Replace(from, to));

    /// <summary>
    /// obj/ is the cache entry itself (one inode), bin/ a real copy; a second build with nothing changed neither links
    /// nor copies again (the link is dated when it was placed, after the stamp).
    /// </summary>
    [SkippableFact]
    public void The_obj_file_is_a_link_to_the_cache_entry_and_bin_a_copy_and_a_rebuild_touches_neither()
    {
        SkipUnlessLinux();
        var (weights, url) = Served("link-basic", seed: 61);
        var cache = _fixture.NewDirectory("link-basic-cache");
        var app = CustomProject("LinkBasic", cache, url);

        Succeeded(app.Build());

        var expected = Expected(weights);
        var entry = ConvertedEntry(cache, expected);
        var obj = Path.Combine(app.ObjModelDirectory, "mynet.npy");
        var bin = Path.Combine(app.BinDirectory, "mynet.npy");
        Assert.True(SameFile(entry, obj));
        Assert.False(SameFile(entry, bin));
        Assert.Equal(expected, File.ReadAllBytes(bin));
        var objTime = File.GetLastWriteTimeUtc(obj);
        var binTime = File.GetLastWriteTimeUtc(bin);

        Succeeded(app.Build());

        Assert.Equal(objTime, File.GetLastWriteTimeUtc(obj));
        Assert.Equal(binTime, File.GetLastWriteTimeUtc(bin));
        Assert.True(SameFile(entry, obj));
    }

    /// <summary>
    /// The link shares the entry's mtime. Switching to a model whose cache entry is older than bin's copy of the previous
    /// one: without the entry's time set to now when it is handed out, MSBuild's PreserveNewest copy would keep the stale
    /// file in bin/.
    /// </summary>
    [SkippableFact]
    public void Switching_to_a_model_whose_cache_entry_is_older_than_bins_copy_ships_the_new_model()
    {
        SkipUnlessLinux();
        var (a, urlA) = Served("link-switch-a", seed: 62);
        var (b, urlB) = Served("link-switch-b", seed: 63);
        var cache = _fixture.NewDirectory("link-switch-cache");
        var app = CustomProject("LinkSwitch", cache, urlB);
        var bin = Path.Combine(app.BinDirectory, "mynet.npy");
        Succeeded(app.Build());                      // B's entry: converted now, older than anything that follows
        var entryB = ConvertedEntry(cache, Expected(b));
        SwitchWeightsUrl(app, urlB, urlA);
        Succeeded(app.Build());
        Assert.Equal(Expected(a), File.ReadAllBytes(bin));
        Assert.True(File.GetLastWriteTimeUtc(entryB) < File.GetLastWriteTimeUtc(bin));

        SwitchWeightsUrl(app, urlA, urlB);
        Succeeded(app.Build());

        Assert.Equal(Expected(b), File.ReadAllBytes(bin));
        Assert.Equal(Expected(b), File.ReadAllBytes(Path.Combine(app.ObjModelDirectory, "mynet.npy")));
        Assert.True(SameFile(entryB, Path.Combine(app.ObjModelDirectory, "mynet.npy")));
    }

    /// <summary>
    /// A write through the obj/ link reaches the cache entry (one file). With its old mtime put back, only the moved ctime
    /// tells: the resolve step drops the link, the cache re-hashes its entry and converts it again, and bin gets good bytes.
    /// </summary>
    [SkippableFact]
    public void Damage_through_the_obj_link_with_the_mtime_restored_is_caught_and_bin_gets_the_good_bytes()
    {
        SkipUnlessLinux();
        var (weights, url) = Served("link-damage", seed: 64);
        var cache = _fixture.NewDirectory("link-damage-cache");
        var app = CustomProject("LinkDamage", cache, url);
        Succeeded(app.Build());
        var expected = Expected(weights);
        var entry = ConvertedEntry(cache, expected);
        var obj = Path.Combine(app.ObjModelDirectory, "mynet.npy");

        // In place, through the obj/ name (made writable first, unless root): the entry changes too.
        Darknet.Build.Tests.Tasks.ObjFileTests.ForceDamageThroughLink(obj, fromEnd: 10, mask: 0xFF);
        Assert.NotEqual(expected, File.ReadAllBytes(entry));
        Directory.Delete(app.BinDirectory, recursive: true);

        var rebuilt = app.Build();

        Succeeded(rebuilt);
        Assert.Contains("is no longer the verified cache entry", rebuilt.Output);
        Assert.Contains("Converting", rebuilt.Output);
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(app.BinDirectory, "mynet.npy")));
        Assert.Equal(expected, File.ReadAllBytes(obj));
        Assert.Equal(expected, File.ReadAllBytes(entry));
    }

    /// <summary>dotnet clean removes the project's name of the file (and its record), never the cache entry.</summary>
    [SkippableFact]
    public void Clean_removes_the_obj_link_not_the_cache_entry()
    {
        SkipUnlessLinux();
        var (weights, url) = Served("link-clean", seed: 65);
        var cache = _fixture.NewDirectory("link-clean-cache");
        var app = CustomProject("LinkClean", cache, url);
        Succeeded(app.Build());
        var expected = Expected(weights);
        var entry = ConvertedEntry(cache, expected);
        var obj = Path.Combine(app.ObjModelDirectory, "mynet.npy");
        Assert.True(File.Exists(ObjFile.LinkRecordPath(obj)));

        Succeeded(app.Clean());

        Assert.False(File.Exists(obj));
        Assert.False(File.Exists(ObjFile.LinkRecordPath(obj)));
        Assert.Equal(expected, File.ReadAllBytes(entry));
        Succeeded(app.Build());
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(app.BinDirectory, "mynet.npy")));
    }
}
