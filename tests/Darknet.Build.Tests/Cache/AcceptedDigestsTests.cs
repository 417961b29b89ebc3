using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Naming = Darknet.Weights.Naming;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Cache;

/// <summary>
/// A built-in whose file changed in place upstream lists every known-good SHA-256: the download (from the loopback server)
/// and a hand-placed copy are accepted when they match any one of them, and a file matching none is refused.
/// </summary>
public sealed class AcceptedDigestsTests : IDisposable
{
    private const string File = "twice.weights";
    private static readonly NetworkLayout Layout = new LayoutBuilder(8, 8).Conv(4, 3).Build();
    private static readonly int Size = 20 + 4 * (int)Layout.FloatCount();

    private readonly WeightsServer _server = new();
    private readonly TempDirectory _temp = new();
    private readonly byte[] _first = SeededBytes.Create(Size, seed: 31);
    private readonly byte[] _second = SeededBytes.Create(Size, seed: 32);
    private readonly byte[] _neither = SeededBytes.Create(Size, seed: 33);
    private readonly WeightsDownloader _downloader = new(new DownloadOptions { InitialRetryDelay = TimeSpan.FromMilliseconds(20) });
    private readonly BuiltInModel _model;

    public AcceptedDigestsTests()
    {
        _model = new BuiltInModel(
            "twice", new string[0], File, "twice", weightsSize: Size, sha1: null, urls: new[] { _server.Url(File) },
            layerLimit: null, layout: () => Layout, layerNames: Naming.LayerNaming.NamesFor,
            sha256: new[] { SeededBytes.Sha256(_first), SeededBytes.Sha256(_second) });
    }

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private MachineCache NewCache(string name) => new(_temp.Combine(name)) { LockPollInterval = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public void The_request_carries_both_digests_and_the_cache_key_names_the_set()
    {
        var request = WeightsRequest.ForBuiltIn(_model);

        Assert.Equal(new[] { SeededBytes.Sha256(_first), SeededBytes.Sha256(_second) }, request.AcceptedSha256);
        Assert.Contains("SHA-256 " + SeededBytes.Sha256(_first) + " or " + SeededBytes.Sha256(_second), request.Describe());
        var key = MachineCache.WeightsKey(request);
        Assert.Matches("^sha256s-[0-9a-f]{32}$", key);
        var reversed = new WeightsRequest(File, Size, request.Urls, new[] { SeededBytes.Sha256(_second), SeededBytes.Sha256(_first) });
        Assert.Equal(key, MachineCache.WeightsKey(reversed));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_download_matching_either_digest_is_accepted(int version)
    {
        var content = version == 0 ? _first : _second;
        _server.Serve(File, content);
        var cache = NewCache("cache" + version);

        var weights = cache.GetWeights(WeightsRequest.ForBuiltIn(_model), _downloader.DownloadAsync);

        Assert.True(weights.Downloaded);
        Assert.Equal(SeededBytes.Sha256(content), weights.Hashes.Sha256);
        Assert.Equal(content, System.IO.File.ReadAllBytes(weights.Path));
        Assert.False(cache.GetWeights(WeightsRequest.ForBuiltIn(_model), _downloader.DownloadAsync).Downloaded);
    }

    [Fact]
    public void A_download_matching_neither_digest_is_refused()
    {
        _server.Serve(File, _neither);
        var cache = NewCache("cache");
        var request = WeightsRequest.ForBuiltIn(_model);

        var error = Assert.Throws<DarknetException>(() => cache.GetWeights(request, _downloader.DownloadAsync));

        Assert.Equal(ErrorCodes.HashMismatch, error.Code);
        Assert.Contains("expected " + SeededBytes.Sha256(_first) + " or " + SeededBytes.Sha256(_second), error.Message);
        Assert.Contains("actual " + SeededBytes.Sha256(_neither), error.Message);
        Assert.False(System.IO.File.Exists(cache.WeightsPath(request)));
    }

    [Fact]
    public void Offline_a_hand_placed_copy_of_either_version_is_accepted_and_a_third_is_not()
    {
        var request = WeightsRequest.ForBuiltIn(_model);
        foreach (var (content, accepted) in new[] { (_first, true), (_second, true), (_neither, false) })
        {
            var cache = NewCache("seeded-" + SeededBytes.Sha256(content).Substring(0, 8));
            var path = cache.WeightsPath(request);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllBytes(path, content);

            if (accepted)
            {
                Assert.Equal(SeededBytes.Sha256(content), cache.GetWeights(request, download: null).Hashes.Sha256);
                continue;
            }
            var error = Assert.Throws<DarknetException>(() => cache.GetWeights(request, download: null));
            Assert.Equal(ErrorCodes.OfflineMiss, error.Code);
            Assert.Contains(SeededBytes.Sha256(_neither), error.Message);
        }
        Assert.Equal(0, _server.TotalRequests);
    }
}
