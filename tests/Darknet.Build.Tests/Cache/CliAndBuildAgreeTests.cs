using System.Text.RegularExpressions;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Testing;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.IO;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Build.Tests.Cache;

/// <summary>
/// `darknet cache list|verify|clean` (the real CLI process) and the build's calls into the cache (MachineCache, as the
/// acquire task makes them) see the same entries and leave two caches seeded alike in the same state: a hand-placed
/// file that fails is moved aside by both, never deleted; a recorded entry damaged later is removed by both.
/// </summary>
public sealed class CliAndBuildAgreeTests : IDisposable
{
    private static readonly Regex RejectedTime = new(@"\.rejected-\d{8}-\d{6}(-\d+)?$");

    private readonly ITestOutputHelper _output;
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _temp = new();
    private readonly WeightsDownloader _downloader = new(new DownloadOptions { InitialRetryDelay = TimeSpan.FromMilliseconds(20) });
    private readonly byte[] _good = SeededBytes.Create(300_000, seed: 31);
    private readonly byte[] _damaged = SeededBytes.Create(200_000, seed: 32);
    private readonly byte[] _pinned = SeededBytes.Create(100_000, seed: 33);
    private readonly byte[] _wrong = SeededBytes.Create(100_000, seed: 34);

    public CliAndBuildAgreeTests(ITestOutputHelper output)
    {
        _output = output;
        _server.Serve("good.weights", _good);
        _server.Serve("damaged.weights", _damaged);
        _server.Serve("placed.weights", _pinned);
    }

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private WeightsRequest Good => new("good.weights", _good.Length, new[] { _server.Url("good.weights") }, sha256: SeededBytes.Sha256(_good));
    private WeightsRequest Damaged => new("damaged.weights", _damaged.Length, new[] { _server.Url("damaged.weights") }, sha256: SeededBytes.Sha256(_damaged));
    private WeightsRequest Placed => new("placed.weights", _pinned.Length, new[] { _server.Url("placed.weights") }, sha256: SeededBytes.Sha256(_pinned));

    [Fact]
    public void The_CLI_and_the_build_list_verify_and_clean_the_same_entries_the_same_way()
    {
        var byCli = Seed("cli");
        var byBuild = Seed("build");
        Assert.Equal(Tree(byCli), Tree(byBuild));
        var cache = new MachineCache(byBuild);
        string Entry(WeightsRequest request) => Path.GetRelativePath(byBuild, cache.WeightsPath(request));

        // list: the three entries and the old partial, none of the bookkeeping beside them.
        var list = Cli("cache", "list", "--cache", byCli);
        Assert.True(list.Exit == 0, list.ToString());
        var listed = list.Stdout.Split('\n').Skip(1).Where(l => l.StartsWith(CacheLayout.WeightsArea, StringComparison.Ordinal)).Select(l => l.Split(' ')[0]).Order(StringComparer.Ordinal).ToArray();
        var expected = new[] { Entry(Good), Entry(Damaged), Entry(Placed), Entry(Good) + CacheLayout.PartialSuffix }.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, listed);
        Assert.Equal(expected, cache.Items().Select(i => Path.GetRelativePath(byBuild, i.Path)).Order(StringComparer.Ordinal).ToArray());

        // verify: the build checks each entry as it uses it (offline: nothing is fetched again).
        var verify = Cli("cache", "verify", "--cache", byCli);
        Assert.True(verify.Exit == 1, verify.ToString());
        Assert.Contains("1 ok, 1 damaged and removed, 1 placed by hand, failed and moved aside", verify.Stdout);
        cache.GetWeights(Good, download: null);
        Assert.Equal(ErrorCodes.OfflineMiss, Assert.Throws<DarknetException>(() => cache.GetWeights(Damaged, download: null)).Code);
        Assert.Equal(ErrorCodes.OfflineMiss, Assert.Throws<DarknetException>(() => cache.GetWeights(Placed, download: null)).Code);
        Assert.Equal(Tree(byCli), Tree(byBuild));
        foreach (var root in new[] { byCli, byBuild })
        {
            var aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(Path.Combine(root, Entry(Placed)))!, "placed.weights" + CacheLayout.RejectedInfix + "*"));
            Assert.Equal(_wrong, File.ReadAllBytes(aside));
            Assert.False(File.Exists(Path.Combine(root, Entry(Damaged))));
            Assert.Equal(_good, File.ReadAllBytes(Path.Combine(root, Entry(Good))));
        }

        // clean: the same litter goes (the dead run's temp, the abandoned partial); the CLI's clean also removes rejected files.
        var clean = Cli("cache", "clean", "--cache", byCli);
        Assert.True(clean.Exit == 0, clean.ToString());
        Assert.Equal(2, cache.DeleteLitter());
        Assert.Equal(Tree(byCli), Tree(byBuild).Where(f => !f.Contains(CacheLayout.RejectedInfix, StringComparison.Ordinal)));
        Assert.Contains(Tree(byBuild), f => f.Contains(CacheLayout.RejectedInfix, StringComparison.Ordinal));
    }

    /// <summary>A cache with a verified entry (and a dead run's temp and an abandoned partial beside it), a recorded entry damaged since, and a wrong hand-placed file.</summary>
    private string Seed(string name)
    {
        var root = _temp.Combine(name);
        var cache = new MachineCache(root);
        var good = cache.GetWeights(Good, _downloader.DownloadAsync).Path;
        var temp = Path.Combine(Path.GetDirectoryName(good)!, ".good.weights.999999-0123abcd" + TempFiles.Suffix);
        File.WriteAllBytes(temp, new byte[10]);
        var partial = CacheLayout.PartialPath(good);
        File.WriteAllBytes(partial, new byte[20]);
        File.SetLastWriteTimeUtc(partial, DateTime.UtcNow.AddDays(-8));

        var damaged = cache.GetWeights(Damaged, _downloader.DownloadAsync).Path;
        File.SetAttributes(damaged, FileAttributes.Normal);
        File.AppendAllText(damaged, "!");

        var placed = cache.WeightsPath(Placed);
        Directory.CreateDirectory(Path.GetDirectoryName(placed)!);
        File.WriteAllBytes(placed, _wrong);
        return root;
    }

    /// <summary>Every file under the cache, relative, with the time a rejected file was moved aside left out.</summary>
    private static string[] Tree(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => RejectedTime.Replace(Path.GetRelativePath(root, f), ".rejected-T"))
            .Order(StringComparer.Ordinal)
            .ToArray();

    private ProcessRun.Result Cli(params string[] args)
    {
        var result = ProcessRun.Run("dotnet", new Dictionary<string, string?> { ["DARKNET_CACHE_DIR"] = null },
            new[] { "exec", Path.Combine(AppContext.BaseDirectory, "darknet.dll") }.Concat(args).ToArray());
        _output.WriteLine("$ darknet " + string.Join(' ', args) + "\n" + result + "\n");
        return result;
    }
}
