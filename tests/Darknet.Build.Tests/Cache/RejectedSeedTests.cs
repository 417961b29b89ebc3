using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Cache;

/// <summary>A file placed in the cache by hand (no sidecar) that fails verification is moved aside, never deleted.</summary>
public sealed class RejectedSeedTests : IDisposable
{
    private const string File = "net.weights";
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _temp = new();
    private readonly byte[] _content = SeededBytes.Create(1024 * 1024 + 3, seed: 21);
    private readonly byte[] _wrong = SeededBytes.Create(1024 * 1024 + 3, seed: 22);
    private readonly MachineCache _cache;
    private readonly List<string> _rejected = new();
    private readonly WeightsDownloader _downloader = new(new DownloadOptions { InitialRetryDelay = TimeSpan.FromMilliseconds(20) });

    public RejectedSeedTests()
    {
        _cache = new MachineCache(_temp.Combine("cache"), new RecordingLog(warnings: _rejected.Add)) { LockPollInterval = TimeSpan.FromMilliseconds(20) };
        _server.Serve(File, _content);
    }

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private WeightsRequest Request() => new(File, _content.Length, new[] { _server.Url(File) }, sha256: SeededBytes.Sha256(_content));

    private string Place(byte[] bytes)
    {
        var path = _cache.WeightsPath(Request());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    private string[] Rejected(string entry) => Directory.GetFiles(Path.GetDirectoryName(entry)!, File + CacheEntry.RejectedInfix + "*");

    [Fact]
    public void A_wrong_hand_placed_file_is_moved_aside_the_caller_is_told_where_and_the_right_one_is_downloaded()
    {
        var entry = Place(_wrong);

        var result = _cache.GetWeights(Request(), _downloader.DownloadAsync);

        Assert.True(result.Downloaded);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(entry));
        var aside = Assert.Single(Rejected(entry));
        Assert.Equal(_wrong, System.IO.File.ReadAllBytes(aside));
        Assert.Matches(@"\.rejected-\d{8}-\d{6}$", aside);
        var message = Assert.Single(_rejected);
        Assert.Contains(entry, message);
        Assert.Contains(aside, message);
        Assert.Contains(SeededBytes.Sha256(_wrong), message);   // what it is, ready to pin if it was meant
    }

    [Fact]
    public void Offline_the_miss_says_where_the_rejected_file_went()
    {
        var entry = Place(_wrong);

        var error = Assert.Throws<DarknetException>(() => _cache.GetWeights(Request(), download: null));

        Assert.Equal(ErrorCodes.OfflineMiss, error.Code);
        var aside = Assert.Single(Rejected(entry));
        Assert.Contains("moved aside to " + aside, error.Message);
        Assert.Equal(0, _server.TotalRequests);
    }

    [Fact]
    public void A_downloaded_entry_damaged_later_is_removed_not_kept()
    {
        var entry = _cache.GetWeights(Request(), _downloader.DownloadAsync).Path;
        var bytes = System.IO.File.ReadAllBytes(entry);
        bytes[10] ^= 1;
        MachineCacheTests.MakeWritable(entry);
        System.IO.File.WriteAllBytes(entry, bytes);

        _cache.GetWeights(Request(), _downloader.DownloadAsync);

        Assert.Empty(Rejected(entry));
        Assert.Empty(_rejected);
    }

    [Fact]
    public void The_litter_sweep_removes_rejected_files_a_week_after_they_were_moved_aside_whatever_their_own_age()
    {
        var entry = Place(_wrong);
        var directory = Path.GetDirectoryName(entry)!;
        var recent = Path.Combine(directory, File + CacheEntry.RejectedInfix + DateTime.UtcNow.AddDays(-1).ToString("yyyyMMdd-HHmmss"));
        var old = Path.Combine(directory, File + CacheEntry.RejectedInfix + DateTime.UtcNow.AddDays(-8).ToString("yyyyMMdd-HHmmss"));
        System.IO.File.WriteAllBytes(recent, _wrong);
        System.IO.File.WriteAllBytes(old, _wrong);
        System.IO.File.SetLastWriteTimeUtc(recent, DateTime.UtcNow.AddDays(-100));   // a copy that kept its old timestamp

        _cache.DeleteLitter();

        Assert.True(System.IO.File.Exists(recent));
        Assert.False(System.IO.File.Exists(old));
    }
}
