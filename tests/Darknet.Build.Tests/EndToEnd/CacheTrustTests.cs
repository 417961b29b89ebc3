using System.Diagnostics;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Testing;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>Issue 7 through real builds of the packed package: cache identity, damaged entries, validated properties.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class CacheTrustTests
{
    private const string Cfg = CustomModelTests.TinyCfg;
    private readonly EndToEndFixture _fixture;

    public CacheTrustTests(EndToEndFixture fixture) => _fixture = fixture;

    internal static long TinySize => DarknetConverter.ExpectedFileSize(NetworkLayout.FromCfg(Cfg, "tiny.cfg"), 20, null);

    private TestProject CustomProject(string name, string cache, string weightsUrl, string properties = "") =>
        CustomProject(_fixture, name, cache, weightsUrl, properties);

    /// <summary>A project with the tiny custom network (its cfg beside it) from <paramref name="weightsUrl"/>, plain http allowed.</summary>
    internal static TestProject CustomProject(EndToEndFixture fixture, string name, string cache, string weightsUrl, string properties = "")
    {
        var directory = fixture.NewDirectory(name);
        File.WriteAllText(Path.Combine(directory, "tiny.cfg"), Cfg);
        return fixture.CreateProject(name, cache,
            $"""<DarknetModel Include="mynet" Config="tiny.cfg" WeightsUrl="{weightsUrl}" />""",
            "<DarknetAllowHttp>true</DarknetAllowHttp>" + properties, directory);
    }

    /// <summary>What the converter makes of <paramref name="weights"/> with that cfg: the bytes the project must get.</summary>
    private byte[] Expected(SyntheticWeights weights)
    {
        var directory = _fixture.NewDirectory("expected");
        var path = Path.Combine(directory, weights.FileName);
        File.WriteAllBytes(path, weights.Bytes);
        var output = Path.Combine(directory, "expected.npy");
        DarknetConverter.ConvertFile(NetworkLayout.FromCfg(Cfg, "tiny.cfg"), path, output, new ConversionOptions());
        return File.ReadAllBytes(output);
    }

    /// <summary>
    /// Before: both were weights/size-N/best.weights in the shared cache, so the second project silently got the first
    /// project's weights. Now each source is its own entry.
    /// </summary>
    [Fact]
    public void TwoCustomModelsWithTheSameFileNameAndSizeFromDifferentUrlsGetTheirOwnWeights()
    {
        var first = SyntheticWeights.OfSize("best.weights", TinySize, seed: 31);
        var second = SyntheticWeights.OfSize("best.weights", TinySize, seed: 32);
        _fixture.Server.Serve("identity-a/best.weights", first.Bytes);
        _fixture.Server.Serve("identity-b/best.weights", second.Bytes);
        var cache = _fixture.NewDirectory("identity-cache");
        var a = CustomProject("IdentityA", cache, _fixture.Server.Url("identity-a/best.weights"));
        var b = CustomProject("IdentityB", cache, _fixture.Server.Url("identity-b/best.weights"));

        Succeeded(a.Build());
        Succeeded(b.Build());

        Assert.Equal(Expected(first), File.ReadAllBytes(Path.Combine(a.BinDirectory, "mynet.npy")));
        Assert.Equal(Expected(second), File.ReadAllBytes(Path.Combine(b.BinDirectory, "mynet.npy")));
        Assert.Equal(1, _fixture.Server.RequestCount("identity-b/best.weights"));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(cache, "weights"), "best.weights", SearchOption.AllDirectories).Length);
    }

    /// <summary>
    /// Before: a cached .npy damaged with its timestamp kept was copied into obj/ and shipped. Now the copy is hashed
    /// against the SHA-256 recorded when the entry was written: the damaged entry is converted again, never shipped.
    /// </summary>
    [Fact]
    public void ADamagedConvertedEntryWithItsTimestampKeptIsRebuiltNotShipped()
    {
        var weights = SyntheticWeights.OfSize("damage.weights", TinySize, seed: 33);
        _fixture.Server.Serve("damage/damage.weights", weights.Bytes);
        var cache = _fixture.NewDirectory("damage-cache");
        var app = CustomProject("DamageApp", cache, _fixture.Server.Url("damage/damage.weights"));
        Succeeded(app.Build());
        var expected = Expected(weights);

        var entry = Directory.GetFiles(Path.Combine(cache, "converted"), "mynet.npy", SearchOption.AllDirectories).Single();
        DamageKeepingTimestamp(entry, fromEnd: 10, mask: 0xFF);
        File.Delete(Path.Combine(app.ObjModelDirectory, "mynet.npy"));

        var rebuilt = app.Build();

        Succeeded(rebuilt);
        Assert.Contains("was damaged; converting it again", rebuilt.Output);
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(app.ObjModelDirectory, "mynet.npy")));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(app.BinDirectory, "mynet.npy")));
        Assert.Equal(expected, File.ReadAllBytes(entry));
    }

    /// <summary>
    /// Before: cached weights damaged with their timestamp kept (the sidecar still "current") were converted and shipped.
    /// Now the conversion hashes what it reads against the recorded SHA-256: the entry is fetched again, the damage never converted.
    /// </summary>
    [Fact]
    public void DamagedCachedWeightsWithTheirTimestampKeptAreFetchedAgainNotConverted()
    {
        var weights = SyntheticWeights.OfSize("rot.weights", TinySize, seed: 35);
        _fixture.Server.Serve("rot/rot.weights", weights.Bytes);
        var cache = _fixture.NewDirectory("rot-cache");
        var app = CustomProject("RotApp", cache, _fixture.Server.Url("rot/rot.weights"));
        Succeeded(app.Build());
        var expected = Expected(weights);

        var entry = Directory.GetFiles(Path.Combine(cache, "weights"), "rot.weights", SearchOption.AllDirectories).Single();
        DamageKeepingTimestamp(entry, fromEnd: 100, mask: 0x10);
        Directory.Delete(Path.Combine(cache, "converted"), recursive: true);   // so the weights are converted again
        File.Delete(Path.Combine(app.ObjModelDirectory, "mynet.npy"));

        var rebuilt = app.Build();

        Succeeded(rebuilt);
        Assert.Contains("was damaged", rebuilt.Output);
        Assert.Equal(2, _fixture.Server.RequestCount("rot/rot.weights"));
        Assert.Equal(weights.Bytes, File.ReadAllBytes(entry));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(app.BinDirectory, "mynet.npy")));
    }

    /// <summary>
    /// A cache on a read-only mount (filled beforehand): entries that verify build without writing anything; a model that
    /// is missing there fails at once with DKN4012 (before: a 10-minute wait for a lock that can never be taken, then
    /// "another build" was blamed).
    /// </summary>
    [SkippableFact]
    public void AReadOnlyCacheServesWhatVerifiesAndFailsAtOnceForAMiss()
    {
        using var mount = new TmpfsMount("size=64m");
        var cache = Path.Combine(mount!.Path, "cache");
        var weights = SyntheticWeights.OfSize("ro.weights", TinySize, seed: 36);
        _fixture.Server.Serve("ro/ro.weights", weights.Bytes);
        _fixture.Server.Serve("ro/other.weights", SyntheticWeights.OfSize("other.weights", TinySize, seed: 37).Bytes);
        Succeeded(CustomProject("ReadOnlyFill", cache, _fixture.Server.Url("ro/ro.weights")).Build());
        var entry = Directory.GetFiles(Path.Combine(cache, "weights"), "ro.weights", SearchOption.AllDirectories).Single();
        File.SetLastWriteTimeUtc(entry, DateTime.UtcNow.AddMinutes(1));   // needs re-checking: hashed, not trusted
        mount.MakeReadOnly();

        var reader = CustomProject("ReadOnlyUse", cache, _fixture.Server.Url("ro/ro.weights"));
        Succeeded(reader.Build());
        Assert.Equal(Expected(weights), File.ReadAllBytes(Path.Combine(reader.BinDirectory, "mynet.npy")));

        var clock = Stopwatch.StartNew();
        var miss = CustomProject("ReadOnlyMiss", cache, _fixture.Server.Url("ro/other.weights")).Build();
        FailedWith(miss, "DKN4012");
        Assert.Contains("read-only", miss.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), "took " + clock.Elapsed);
        Assert.Equal(1, _fixture.Server.RequestCount("ro/ro.weights"));
    }

    /// <summary>
    /// A cache on a disk that fills up during the conversion (yolov3-tiny: 35 MB of weights fit in 50 MB, the 35 MB .npy
    /// does not): DKN4015, no temp left. Before: DKN5099, "a bug".
    /// </summary>
    [SkippableFact]
    public void ADiskThatFillsUpDuringTheConversionIsDKN4015()
    {
        using var mount = new TmpfsMount("size=50m");
        var cache = Path.Combine(mount!.Path, "cache");
        var mirror = _fixture.ServeTiny("full");
        var app = _fixture.CreateProject("DiskFullApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");

        var result = app.Build();

        FailedWith(result, "DKN4015");
        Assert.Contains("No space left", result.Output);
        Assert.DoesNotContain("DKN5099", result.Output);
        Assert.Single(Directory.GetFiles(Path.Combine(cache, "weights"), "yolov3-tiny.weights", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(cache, "*.dkn-tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(app.ObjModelDirectory, "yolov3-tiny.npy")));
    }

    /// <summary>Before: DarknetStallTimeout=5000000 ended in DKN5099 (an overflow deep in the download). Now DKN5003 before any work.</summary>
    [Theory]
    [InlineData("<DarknetStallTimeout>5000000</DarknetStallTimeout>", "DarknetStallTimeout '5000000'")]
    [InlineData("<DarknetStallTimeout>soon</DarknetStallTimeout>", "DarknetStallTimeout 'soon'")]
    [InlineData("<DarknetOffline>maybe</DarknetOffline>", "DarknetOffline 'maybe'")]
    [InlineData("<DarknetMirror>ftp://mirror.example/</DarknetMirror>", "DarknetMirror 'ftp://mirror.example/'")]
    public void InvalidPropertiesAreDKN5003(string property, string message)
    {
        var app = CustomProject("PropertyApp", _fixture.NewDirectory("property-cache"), _fixture.Server.Url("property/never.weights"), property);

        var result = app.Build();

        FailedWith(result, "DKN5003");
        Assert.Contains(message, result.Output);
        Assert.DoesNotContain("DKN5099", result.Output);
        Assert.Equal(0, _fixture.Server.RequestCount("property/never.weights"));
    }

    /// <summary>A WeightsUrl without a file name (ending in '/'): the cached file takes the model's name.</summary>
    [Fact]
    public void AWeightsUrlWithoutAFileNameIsNamedAfterTheModel()
    {
        var weights = SyntheticWeights.OfSize("x.weights", TinySize, seed: 34);
        _fixture.Server.Serve("noname/", weights.Bytes);
        var cache = _fixture.NewDirectory("noname-cache");
        var app = CustomProject("NoNameApp", cache, _fixture.Server.Url("noname/"));

        Succeeded(app.Build());

        Assert.Single(Directory.GetFiles(Path.Combine(cache, "weights"), "mynet.weights", SearchOption.AllDirectories));
        Assert.Equal(Expected(weights), File.ReadAllBytes(Path.Combine(app.BinDirectory, "mynet.npy")));
    }

    /// <summary>Flips bits of one byte, then puts the old timestamp back: damage that a sidecar's date cannot reveal.</summary>
    internal static void DamageKeepingTimestamp(string path, int fromEnd, byte mask)
    {
        var time = File.GetLastWriteTimeUtc(path);
        Darknet.Build.Tests.Cache.MachineCacheTests.MakeWritable(path);   // published entries are read-only on Linux (issue 8)
        var bytes = File.ReadAllBytes(path);
        bytes[^fromEnd] ^= mask;
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, time);
    }
}
