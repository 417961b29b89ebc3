using System.Diagnostics;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Cache;
using Darknet.Weights.IO;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// `darknet fetch` and `darknet cache path|list|verify|clean` through the real CLI process (darknet.dll beside the tests),
/// against the loopback server, and a real offline `dotnet build` that uses what `darknet fetch` wrote.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class CacheToolTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public CacheToolTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public void FetchFillsTheEntryAnOfflineBuildUses()
    {
        var mirror = _fixture.ServeTiny("ux-fetch");
        var cache = _fixture.NewDirectory("ux-fetch-cache");
        var sha = _fixture.Tiny.Sha256;

        var fetch = Cli("fetch", "yolov3-tiny", "--cache", cache, "--mirror", mirror, "--sha256", sha);
        Assert.True(fetch.Exit == 0, fetch.ToString());
        var entry = Path.Combine(cache, "weights", "sha256-" + sha, "yolov3-tiny.weights");
        Assert.Contains($"yolov3-tiny: downloading yolov3-tiny.weights (35.4 MB) from {mirror}yolov3-tiny.weights", fetch.Stdout);
        Assert.Contains("-> " + entry, fetch.Stdout);
        Assert.Equal(_fixture.Tiny.Bytes, File.ReadAllBytes(entry));
        Assert.True(File.Exists(entry + ".verified"));
        Assert.Equal(1, _fixture.Server.RequestCount("ux-fetch/yolov3-tiny.weights"));

        var again = Cli("fetch", "yolov3-tiny", "--cache", cache, "--mirror", mirror, "--sha256", sha);
        Assert.True(again.Exit == 0, again.ToString());
        Assert.Contains("is in the cache already", again.Stdout);
        Assert.Equal(1, _fixture.Server.RequestCount("ux-fetch/yolov3-tiny.weights"));

        var list = Cli("cache", "list", "--cache", cache);
        Assert.True(list.Exit == 0, list.ToString());
        var row = Assert.Single(list.Stdout.Split('\n'), l => l.StartsWith(Path.Combine("weights", "sha256-" + sha, "yolov3-tiny.weights"), StringComparison.Ordinal));
        Assert.Contains("yolov3-tiny", row.Substring(row.IndexOf(' ')));
        Assert.Contains("35.4 MB", row);
        Assert.Contains(sha, row);
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d$", row);

        // The air-gapped machine: offline, the cache carried over, the server never asked.
        var app = _fixture.CreateProject("FetchedApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{sha}" />""", "<DarknetOffline>true</DarknetOffline>");
        var build = app.Build();
        Succeeded(build);
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
        Assert.Equal(1, _fixture.Server.RequestCount("ux-fetch/yolov3-tiny.weights"));
    }

    [Fact]
    public void VerifyRemovesADamagedEntryAndSaysSo()
    {
        var mirror = _fixture.ServeTiny("ux-verify");
        var cache = _fixture.NewDirectory("ux-verify-cache");
        Assert.Equal(0, Cli("fetch", "yolov3-tiny", "--cache", cache, "--mirror", mirror, "--sha256", _fixture.Tiny.Sha256).Exit);
        var entry = Path.Combine(cache, "weights", "sha256-" + _fixture.Tiny.Sha256, "yolov3-tiny.weights");

        var clean = Cli("cache", "verify", "--cache", cache);
        Assert.True(clean.Exit == 0, clean.ToString());
        Assert.Contains("1 ok, 0 damaged", clean.Stdout);

        // Rot with the timestamp kept: only hashing finds it.
        var time = File.GetLastWriteTimeUtc(entry);
        var bytes = File.ReadAllBytes(entry);
        bytes[1000] ^= 1;
        File.WriteAllBytes(entry, bytes);
        File.SetLastWriteTimeUtc(entry, time);

        var verify = Cli("cache", "verify", "--cache", cache);
        Assert.True(verify.Exit == 1, verify.ToString());
        Assert.Contains("DAMAGED  " + Path.Combine("weights", "sha256-" + _fixture.Tiny.Sha256, "yolov3-tiny.weights"), verify.Stdout);
        Assert.Contains("0 ok, 1 damaged and removed", verify.Stdout);
        Assert.False(File.Exists(entry));
        Assert.False(File.Exists(entry + ".verified"));
    }

    /// <summary>
    /// Issue 8: on Linux entries are read-only and their sidecar records the file's identity. A cache restored elsewhere
    /// (CI: new inodes) is not trusted without hashing; `cache verify` hashes it and records the new identity, so the
    /// builds that follow need not; `cache clean --all` removes read-only entries.
    /// </summary>
    [SkippableFact]
    public void VerifyRecordsTheIdentityOfARestoredCacheAndCleanRemovesReadOnlyEntries()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && FileIdentity.Of(typeof(CacheToolTests).Assembly.Location) != null, "file identities are recorded on Linux only");
        var mirror = _fixture.ServeTiny("ux-restore");
        var filled = _fixture.NewDirectory("ux-restore-filled");
        Assert.Equal(0, Cli("fetch", "yolov3-tiny", "--cache", filled, "--mirror", mirror, "--sha256", _fixture.Tiny.Sha256).Exit);
        var relative = Path.Combine("weights", "sha256-" + _fixture.Tiny.Sha256, "yolov3-tiny.weights");
        Assert.True((File.GetAttributes(Path.Combine(filled, relative)) & FileAttributes.ReadOnly) != 0);
        Assert.True(Sidecar.Read(Path.Combine(filled, relative))!.Current);

        var restored = _fixture.NewDirectory("ux-restore-restored");
        foreach (var file in Directory.GetFiles(filled, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(restored, Path.GetRelativePath(filled, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var entry = Path.Combine(restored, relative);
        Assert.False(Sidecar.Read(entry)!.Current);

        var verify = Cli("cache", "verify", "--cache", restored);
        Assert.True(verify.Exit == 0, verify.ToString());
        Assert.True(Sidecar.Read(entry)!.Current);
        Assert.Equal(_fixture.Tiny.Bytes, File.ReadAllBytes(entry));

        var all = Cli("cache", "clean", "--all", "--cache", restored);
        Assert.True(all.Exit == 0, all.ToString());
        Assert.False(File.Exists(entry));
    }

    [Fact]
    public void CleanRemovesLitterOldEntriesOrEverything()
    {
        var cache = _fixture.NewDirectory("ux-clean-cache");
        var fresh = Seed(cache, "sha256-" + new string('a', 64), "fresh.weights", 1000);
        var old = Seed(cache, "sha256-" + new string('b', 64), "old.weights", 2000);
        File.SetLastAccessTimeUtc(old, DateTime.UtcNow.AddDays(-30));
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-30));
        var rejected = Seed(cache, "sha256-" + new string('c', 64), "placed.weights.rejected-20260101-000000", 500);

        var litter = Cli("cache", "clean", "--cache", cache);
        Assert.True(litter.Exit == 0, litter.ToString());
        Assert.False(File.Exists(rejected));
        Assert.True(File.Exists(old));

        var older = Cli("cache", "clean", "--older-than", "7", "--cache", cache);
        Assert.True(older.Exit == 0, older.ToString());
        Assert.Contains("removed 1 files (0.0 MB)", older.Stdout);
        Assert.False(File.Exists(old));
        Assert.False(File.Exists(old + ".verified"));
        Assert.True(File.Exists(fresh));

        var all = Cli("cache", "clean", "--all", "--cache", cache);
        Assert.True(all.Exit == 0, all.ToString());
        // Every entry was removed under its lock; lock files are never deleted (a build may hold one).
        Assert.All(FilesUnder(Path.Combine(cache, "weights")), f => Assert.EndsWith(".lock", f));
        Assert.Contains("0 files", Cli("cache", "list", "--cache", cache).Stdout);
    }

    [Fact]
    public void PathFollowsTheFlagThenTheVariable()
    {
        var flag = _fixture.NewDirectory("ux-path-flag");
        var variable = _fixture.NewDirectory("ux-path-variable");
        Assert.Equal(flag + "\n", Cli("cache", "path", "--cache", flag).Stdout);
        Assert.Equal(variable + "\n", Cli(new Dictionary<string, string> { ["DARKNET_CACHE_DIR"] = variable }, "cache", "path").Stdout);
    }

    [Theory]
    [InlineData("fetch", "darknet fetch MODEL... [--cache DIR] [--mirror URL]")]
    [InlineData("cache", "darknet cache clean [--older-than DAYS | --all] [--cache DIR]")]
    public void EachCommandHasHelp(string command, string usage)
    {
        var help = Cli(command, "--help");
        Assert.True(help.Exit == 0, help.ToString());
        Assert.Contains(usage, help.Stdout);
        Assert.Contains(usage, Cli("--help").Stdout);
    }

    [Fact]
    public void FetchSuggestsTheNearestModelName()
    {
        var typo = Cli("fetch", "yolov3-tiniy", "--cache", _fixture.NewDirectory("ux-typo"));
        Assert.Equal(2, typo.Exit);
        Assert.Contains("DKN2007", typo.Stderr);
        Assert.Contains("did you mean 'yolov3-tiny'?", typo.Stderr);
    }

    private static string Seed(string cache, string key, string name, int size)
    {
        var path = Path.Combine(cache, "weights", key, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[size]);
        File.WriteAllText(path + ".verified", $"size={size}\nsha256={new string('0', 64)}\nsha1={new string('0', 40)}\n");
        return path;
    }

    private ProcessRun.Result Cli(params string[] args) => Cli(new Dictionary<string, string>(), args);

    /// <summary>The built darknet.dll (beside this assembly through the project reference) as a real process.</summary>
    private ProcessRun.Result Cli(Dictionary<string, string> environment, params string[] args)
    {
        var variables = new Dictionary<string, string?> { ["DARKNET_CACHE_DIR"] = null };
        foreach (var (name, value) in environment) variables[name] = value;
        var result = DarknetProcess.Run(new ProcessRun.Options { Environment = variables }, args);
        _output.WriteLine("$ darknet " + string.Join(' ', args) + "\n" + result + "\n");
        return result;
    }
}
