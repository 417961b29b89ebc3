using System.Diagnostics;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Testing;
using Darknet.Weights;
using Xunit;

namespace Darknet.Build.Tests.Cache;

/// <summary>The machine cache on real file systems that refuse writes: a full tmpfs, a tmpfs remounted read-only.</summary>
public sealed class CacheFileSystemTests : IDisposable
{
    private const string File = "net.weights";
    private readonly WeightsServer _server = new();
    private readonly byte[] _content = SeededBytes.Create(3 * 1024 * 1024, seed: 21);
    private readonly WeightsDownloader _downloader = new(new DownloadOptions
    {
        InitialRetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        StallTimeout = TimeSpan.FromSeconds(10),
    });

    public CacheFileSystemTests() => _server.Serve(File, _content);

    public void Dispose() => _server.Dispose();

    private WeightsRequest Request() => new(File, _content.Length, new[] { _server.Url(File) }, sha256: SeededBytes.Sha256(_content));

    private static TmpfsMount Mount(int sizeMb)
    {
        return new TmpfsMount("size=" + sizeMb + "m");
    }

    /// <summary>Before: a trusted hit worked, but an entry needing a re-check waited 10 minutes for a lock it could never take, then blamed another build.</summary>
    [SkippableFact]
    public void A_read_only_cache_serves_entries_that_verify_and_fails_at_once_with_DKN4012_otherwise()
    {
        using var mount = Mount(16);
        var cache = new MachineCache(Path.Combine(mount.Path, "cache"));
        var request = Request();
        var path = cache.GetWeights(request, _downloader.DownloadAsync).Path;
        var key = ConvertedKey.Compute(SeededBytes.Sha256(_content), "layout", "npy", null, "1");
        var converted = cache.GetConverted(key, "net.npy", s => s.Write(_content, 0, 1000));
        // Needs re-checking (touched after its sidecar), but the bytes are what was recorded.
        System.IO.File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var missing = new WeightsRequest("other.weights", 10, new[] { _server.Url("other.weights") }, sha256: new string('1', 64));
        mount.MakeReadOnly();

        var clock = Stopwatch.StartNew();
        var hit = cache.GetWeights(request, _downloader.DownloadAsync);
        Assert.False(hit.Downloaded);
        Assert.Equal(SeededBytes.Sha256(_content), hit.Hashes.Sha256);
        Assert.False(cache.GetConverted(key, "net.npy", _ => throw new InvalidOperationException("not a miss")).Published);

        var error = Assert.Throws<DarknetException>(() => cache.GetWeights(missing, _downloader.DownloadAsync));
        Assert.Equal(ErrorCodes.CacheUnusable, error.Code);
        Assert.Contains("read-only", error.Message);
        Assert.DoesNotContain("another build", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "took " + clock.Elapsed);
        Assert.Equal(1, _server.TotalRequests);
    }

    [SkippableFact]
    public void A_damaged_entry_in_a_read_only_cache_is_DKN4012_and_never_served()
    {
        using var mount = Mount(16);
        var cache = new MachineCache(Path.Combine(mount.Path, "cache"));
        var request = Request();
        var path = cache.GetWeights(request, _downloader.DownloadAsync).Path;
        Thread.Sleep(50);
        using (var stream = new FileStream(path, FileMode.Open)) { stream.Position = 100; stream.WriteByte((byte)(_content[100] ^ 1)); }
        mount.MakeReadOnly();

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<DarknetException>(() => cache.GetWeights(request, _downloader.DownloadAsync));

        Assert.Equal(ErrorCodes.CacheUnusable, error.Code);
        Assert.Contains("damaged", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "took " + clock.Elapsed);
    }

    /// <summary>Before: the download's disk error was DKN4012 "cannot write" at best, a conversion's DKN5099. Now DKN4015.</summary>
    [SkippableFact]
    public void A_full_disk_during_a_download_is_DKN4015()
    {
        using var mount = Mount(2);
        var cache = new MachineCache(Path.Combine(mount.Path, "cache"));

        var error = Assert.Throws<DarknetException>(() => cache.GetWeights(Request(), _downloader.DownloadAsync));

        Assert.Equal(ErrorCodes.CacheDiskFull, error.Code);
        Assert.Contains("No space left", error.Message);
        Assert.False(System.IO.File.Exists(cache.WeightsPath(Request())));
    }

    [SkippableFact]
    public void A_full_disk_while_writing_a_converted_output_is_DKN4015_and_leaves_no_temp()
    {
        using var mount = Mount(2);
        var cache = new MachineCache(Path.Combine(mount.Path, "cache"));
        var key = ConvertedKey.Compute(SeededBytes.Sha256(_content), "layout", "npy", null, "1");

        var error = Assert.Throws<DarknetException>(() => cache.GetConverted(key, "net.npy", s =>
        {
            for (var i = 0; i < 4; i++) s.Write(_content, 0, 1024 * 1024);
        }));

        Assert.Equal(ErrorCodes.CacheDiskFull, error.Code);
        var directory = Path.GetDirectoryName(cache.ConvertedPath(key, "net.npy"))!;
        Assert.Equal(new[] { "net.npy.lock" }, Directory.GetFiles(directory).Select(Path.GetFileName));
    }
}
