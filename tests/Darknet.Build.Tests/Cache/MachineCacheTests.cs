using System.Diagnostics;
using System.Runtime.InteropServices;
using Darknet.Build.Cache;
using Darknet.Build.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Xunit;

namespace Darknet.Build.Tests.Cache;

public sealed class MachineCacheTests : IDisposable
{
    private const string File = "net.weights";
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _temp = new();
    private readonly byte[] _content = SeededBytes.Create(2 * 1024 * 1024 + 5, seed: 11);
    private readonly MachineCache _cache;
    private readonly WeightsDownloader _downloader = new(new DownloadOptions
    {
        InitialRetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        StallTimeout = TimeSpan.FromSeconds(10),
    });

    public MachineCacheTests()
    {
        _cache = new MachineCache(_temp.Combine("cache")) { LockPollInterval = TimeSpan.FromMilliseconds(20) };
        _server.Serve(File, _content);
    }

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private WeightsRequest Request(string? sha256 = null) =>
        new(File, _content.Length, new[] { _server.Url(File) }, sha256: sha256 ?? SeededBytes.Sha256(_content));

    private CachedWeights Get(WeightsRequest? request = null) => _cache.GetWeights(request ?? Request(), _downloader.DownloadAsync);

    private string[] FilesInEntryDirectory(WeightsRequest request) =>
        Directory.Exists(Path.GetDirectoryName(_cache.WeightsPath(request)))
            ? Directory.GetFiles(Path.GetDirectoryName(_cache.WeightsPath(request))!).Select(f => Path.GetFileName(f)).OrderBy(n => n, StringComparer.Ordinal).ToArray()
            : Array.Empty<string>();

    [Fact]
    public void Layout_is_content_addressed_under_the_root()
    {
        var request = Request();
        Assert.Equal(Path.Combine(_cache.Root, "weights", "sha256-" + SeededBytes.Sha256(_content), File), _cache.WeightsPath(request));
        var sha1Only = new WeightsRequest(File, 10, Array.Empty<string>(), sha1: new string('A', 40));
        Assert.Equal(Path.Combine(_cache.Root, "weights", "sha1-" + new string('a', 40), File), _cache.WeightsPath(sha1Only));
        var none = new WeightsRequest(File, 10, new[] { "https://a.example/net.weights" });
        Assert.Matches("^url-[0-9a-f]{32}$", Path.GetFileName(Path.GetDirectoryName(_cache.WeightsPath(none))));
        Assert.Equal(File, Path.GetFileName(_cache.WeightsPath(none)));
    }

    [Fact]
    public void A_miss_downloads_and_a_hit_sends_no_request()
    {
        var first = Get();
        var second = Get();

        Assert.True(first.Downloaded);
        Assert.False(second.Downloaded);
        Assert.Equal(first.Path, second.Path);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(second.Path));
        Assert.Equal(SeededBytes.Sha256(_content), second.Hashes.Sha256);
        Assert.Equal(1, _server.TotalRequests);
        Assert.Equal(new[] { File, File + ".lock", File + ".verified" }, FilesInEntryDirectory(Request()));
    }

    [Fact]
    public void A_truncated_entry_is_replaced()
    {
        var path = Get().Path;
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(1000);

        var again = Get();

        Assert.True(again.Downloaded);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(path));
        Assert.Equal(2, _server.TotalRequests);
    }

    [Fact]
    public void A_modified_entry_of_the_right_size_is_hashed_again_and_replaced()
    {
        var path = Get().Path;
        Thread.Sleep(50); // a later modification time than the sidecar, as any real edit would have
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.Position = 12345;
            stream.WriteByte((byte)(_content[12345] ^ 0xFF));
        }

        var again = Get();

        Assert.True(again.Downloaded);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(path));
        Assert.Equal(2, _server.TotalRequests);
    }

    [Fact]
    public void A_damaged_entry_without_sidecar_is_never_used()
    {
        var request = Request();
        var path = _cache.WeightsPath(request);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, SeededBytes.Create(_content.Length, seed: 99));

        var result = Get(request);

        Assert.True(result.Downloaded);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(path));
    }

    [Fact]
    public void Offline_miss_says_which_file_to_place_where_and_seeding_it_by_hand_works()
    {
        var request = Request();
        var error = Assert.Throws<DarknetException>(() => _cache.GetWeights(request, download: null));

        Assert.Equal(BuildErrorCodes.OfflineMiss, error.Code);
        Assert.Contains(_cache.WeightsPath(request), error.Message);
        Assert.Contains(_content.Length + " bytes", error.Message);
        Assert.Contains(SeededBytes.Sha256(_content), error.Message);
        Assert.Equal(0, _server.TotalRequests);

        // An air-gapped machine: copy the file to exactly that path.
        var seed = _temp.Combine("usb-stick.weights");
        System.IO.File.WriteAllBytes(seed, _content);
        System.IO.File.Copy(seed, _cache.WeightsPath(request));

        var hit = _cache.GetWeights(request, download: null);
        Assert.False(hit.Downloaded);
        Assert.Equal(SeededBytes.Sha256(_content), hit.Hashes.Sha256);
        Assert.Equal(0, _server.TotalRequests);
    }

    [Fact]
    public void Offline_refuses_a_damaged_seed()
    {
        var request = Request();
        var path = _cache.WeightsPath(request);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, SeededBytes.Create(_content.Length - 1, seed: 5));

        var error = Assert.Throws<DarknetException>(() => _cache.GetWeights(request, download: null));

        Assert.Equal(BuildErrorCodes.OfflineMiss, error.Code);
        Assert.Contains("damaged", error.Message);
        Assert.False(System.IO.File.Exists(path));
    }

    [Fact]
    public void A_failed_download_publishes_nothing()
    {
        var request = Request(sha256: new string('0', 64));

        var error = Assert.Throws<DarknetException>(() => Get(request));

        Assert.Equal(BuildErrorCodes.HashMismatch, error.Code);
        Assert.Equal(new[] { File + ".lock" }, FilesInEntryDirectory(request));
    }

    [Fact]
    public void Cancelling_leaves_no_final_and_no_temp_file()
    {
        _server.StallAfter(File, 100_000, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() => _cache.GetWeights(Request(), _downloader.DownloadAsync, cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "took " + clock.Elapsed);
        Assert.Equal(new[] { File + ".lock" }, FilesInEntryDirectory(Request()));
    }

    [Fact]
    public void Stale_temp_files_of_a_killed_build_are_removed()
    {
        var request = Request();
        var stale = Darknet.Weights.IO.TempFiles.PathFor(_cache.WeightsPath(request));
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        System.IO.File.WriteAllBytes(stale, new byte[10]);

        Get(request);

        Assert.False(System.IO.File.Exists(stale));
    }

    [Fact]
    public async Task Four_concurrent_requests_on_a_cold_cache_download_once()
    {
        // Slow the one download down so that the others surely arrive while it runs.
        _server.StallAfter(File, 1000, TimeSpan.FromMilliseconds(500));
        var caches = Enumerable.Range(0, 4)
            .Select(_ => new MachineCache(_cache.Root) { LockPollInterval = TimeSpan.FromMilliseconds(20) })
            .ToList();

        var results = await Task.WhenAll(caches.Select(c => Task.Run(() => c.GetWeightsAsync(Request(), _downloader.DownloadAsync))));

        Assert.Equal(1, _server.TotalRequests);
        Assert.Single(results, r => r.Downloaded);
        Assert.All(results, r => Assert.Equal(_content, System.IO.File.ReadAllBytes(r.Path)));
    }

    [SkippableFact]
    public void A_lock_held_by_another_process_is_waited_for_then_times_out_with_the_lock_file_named()
    {
        Skip.If(RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || !System.IO.File.Exists("/usr/bin/flock"), "needs flock(1)");
        var request = Request();
        var lockPath = _cache.WeightsPath(request) + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);

        using var holder = Process.Start(new ProcessStartInfo("/usr/bin/flock", new[] { "-x", lockPath, "sleep", "2" }) { UseShellExecute = false })!;
        try
        {
            WaitUntilLocked(lockPath);

            _cache.LockTimeout = TimeSpan.FromMilliseconds(300);
            var error = Assert.Throws<DarknetException>(() => Get(request));
            Assert.Equal(BuildErrorCodes.LockTimeout, error.Code);
            Assert.Contains(lockPath, error.Message);
            Assert.Equal(0, _server.TotalRequests);

            _cache.LockTimeout = TimeSpan.FromSeconds(20);
            // Waits for the other process to let go, then does the work itself.
            var result = Get(request);
            Assert.True(result.Downloaded);
            Assert.Equal(1, _server.TotalRequests);
        }
        finally
        {
            if (!holder.HasExited) holder.Kill();
        }
    }

    private static void Write(Stream output, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        output.Write(bytes, 0, bytes.Length);
    }

    private static void WaitUntilLocked(string lockPath)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            try
            {
                using (new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)) { }
            }
            catch (IOException)
            {
                return;
            }
            Thread.Sleep(20);
        }
        throw new TimeoutException("flock did not take " + lockPath);
    }

    [Fact]
    public void Converted_output_is_produced_once_and_reused()
    {
        var key = ConvertedKey.Compute(SeededBytes.Sha256(_content), "layout", "npy", 52, "1");
        var calls = 0;
        void Produce(Stream output)
        {
            calls++;
            Write(output, "converted");
        }

        var first = _cache.GetConverted(key, "net.npy", Produce);
        var second = _cache.GetConverted(key, "net.npy", Produce);

        Assert.Equal(1, calls);
        Assert.Equal(first.Path, second.Path);
        Assert.True(first.Published);
        Assert.False(second.Published);
        Assert.Equal(Path.Combine(_cache.Root, "converted", key, "net.npy"), first.Path);
        Assert.Equal("converted", System.IO.File.ReadAllText(first.Path));
        Assert.Equal(SeededBytes.Sha256(System.Text.Encoding.UTF8.GetBytes("converted")), first.Hashes.Sha256);
        Assert.Contains("sha256=" + first.Hashes.Sha256, System.IO.File.ReadAllText(first.Path + ".verified"));
    }

    [Fact]
    public void A_failed_conversion_publishes_nothing_and_a_damaged_output_is_produced_again()
    {
        var key = ConvertedKey.Compute(SeededBytes.Sha256(_content), "layout", "npy", null, "1");
        Assert.Throws<InvalidDataException>(() => _cache.GetConverted(key, "net.npy", output =>
        {
            Write(output, "half");
            throw new InvalidDataException("converter failed");
        }));
        var path = _cache.ConvertedPath(key, "net.npy");
        Assert.Equal(new[] { "net.npy.lock" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));

        _cache.GetConverted(key, "net.npy", output => Write(output, "converted"));
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(3);
        var calls = 0;
        _cache.GetConverted(key, "net.npy", output =>
        {
            calls++;
            Write(output, "converted");
        });

        Assert.Equal(1, calls);
        Assert.Equal("converted", System.IO.File.ReadAllText(path));
    }

    [Fact]
    public void Converted_key_depends_on_every_input()
    {
        var sha = SeededBytes.Sha256(_content);
        var keys = new[]
        {
            ConvertedKey.Compute(sha, "layout", "npy", 52, "1"),
            ConvertedKey.Compute(new string('0', 64), "layout", "npy", 52, "1"),
            ConvertedKey.Compute(sha, "layout2", "npy", 52, "1"),
            ConvertedKey.Compute(sha, "layout", "npz", 52, "1"),
            ConvertedKey.Compute(sha, "layout", "npy", null, "1"),
            ConvertedKey.Compute(sha, "layout", "npy", 52, "2"),
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(keys[0], ConvertedKey.Compute(sha.ToUpperInvariant(), "layout", "NPY", 52, "1"));
        Assert.Matches("^[0-9a-f]{64}$", keys[0]);
    }
}
