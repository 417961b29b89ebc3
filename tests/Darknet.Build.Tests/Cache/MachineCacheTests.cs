using System.Diagnostics;
using System.Runtime.InteropServices;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Darknet.Weights.IO;
using Xunit;
using Darknet.Testing;

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
        MakeWritable(path);
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
        MakeWritable(path);
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

        Assert.Equal(ErrorCodes.OfflineMiss, error.Code);
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

        Assert.Equal(ErrorCodes.OfflineMiss, error.Code);
        Assert.Contains("damaged", error.Message);
        Assert.False(System.IO.File.Exists(path));
    }

    [Fact]
    public void A_failed_download_publishes_nothing()
    {
        var request = Request(sha256: new string('0', 64));

        var error = Assert.Throws<DarknetException>(() => Get(request));

        Assert.Equal(ErrorCodes.HashMismatch, error.Code);
        Assert.Equal(new[] { File + ".lock" }, FilesInEntryDirectory(request));
    }

    /// <summary>Cancelled: no final file and no temp; the partial and its metadata stay for the next build to resume (Must 3).</summary>
    [Fact]
    public void Cancelling_leaves_no_final_and_no_temp_file()
    {
        _server.StallAfter(File, 100_000, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();
        var download = Task.Run(() => _cache.GetWeights(Request(), _downloader.DownloadAsync, cancel.Token));
        // Cancelled mid-body, once the stall is reached and the partial exists: a fixed delay fired before the first
        // response on a loaded machine, and then there was no partial to keep.
        var partial = Path.Combine(Path.GetDirectoryName(_cache.WeightsPath(Request()))!, File + ".dkn-partial");
        var waited = Stopwatch.StartNew();
        while ((_server.BodyBytesSent(File) < 100_000 || !System.IO.File.Exists(partial)) && !download.IsCompleted)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(25), "the download never reached the stall");
            Thread.Sleep(10);
        }
        cancel.Cancel();
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() => download.GetAwaiter().GetResult());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "took " + clock.Elapsed + " after the cancellation");
        Assert.Equal(new[] { File + ".dkn-partial", File + ".dkn-partial.json", File + ".lock" }, FilesInEntryDirectory(Request()));
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

        using var holder = ProcessRun.Start(new ProcessRun.Options(), "/usr/bin/flock", "-x", lockPath, "sleep", "2");
        try
        {
            WaitUntilLocked(lockPath);

            _cache.LockTimeout = TimeSpan.FromMilliseconds(300);
            var error = Assert.Throws<DarknetException>(() => Get(request));
            Assert.Equal(ErrorCodes.LockTimeout, error.Code);
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

        // An output's record has no SHA-1 (nothing checks one) and is still a record: a current one is trusted without
        // hashing, without even the entry's lock (held here, as by another build).
        Assert.Contains("sha1=\n", System.IO.File.ReadAllText(first.Path + ".verified"));
        _cache.LockTimeout = TimeSpan.FromMilliseconds(300);
        using (new FileStream(first.Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            Assert.False(_cache.GetConverted(key, "net.npy", Produce).Published);
        Assert.Equal(1, calls);

        // Other bytes with the old timestamp put back. Issue 8: where the record holds the file's identity (Linux statx),
        // the moved ctime makes it not current, so the output is hashed and written again; elsewhere size and time still
        // pass, as before (and what is copied from it is hashed).
        _cache.LockTimeout = TimeSpan.FromSeconds(20);
        var time = System.IO.File.GetLastWriteTimeUtc(first.Path);
        MakeWritable(first.Path);
        System.IO.File.WriteAllText(first.Path, "CONVERTED");
        System.IO.File.SetLastWriteTimeUtc(first.Path, time);
        var identityRecorded = FileIdentity.Of(first.Path) != null;
        Assert.Equal(identityRecorded, _cache.GetConverted(key, "net.npy", Produce).Published);
        Assert.Equal(identityRecorded ? 2 : 1, calls);
        if (identityRecorded) Assert.Equal("converted", System.IO.File.ReadAllText(first.Path));
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
        MakeWritable(path);
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
            ConvertedKey.Compute(sha, "layout", "npy", 52, "1", "[\"cat\"]"),
            ConvertedKey.Compute(sha, "layout", "npy", 52, "1", "[\"dog\"]"),
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(keys[0], ConvertedKey.Compute(sha.ToUpperInvariant(), "layout", "NPY", 52, "1"));
        Assert.Matches("^[0-9a-f]{64}$", keys[0]);
    }

    // ---- identity (issue 7, Must 1) ----

    private readonly WeightsDownloader _httpDownloader = new(new DownloadOptions
    {
        AllowHttp = true,
        InitialRetryDelay = TimeSpan.FromMilliseconds(20),
        StallTimeout = TimeSpan.FromSeconds(10),
    });

    private WeightsRequest Unpinned(string path) => new(File, _content.Length, new[] { _server.Url(path) });

    /// <summary>Before: both were weights/size-N/net.weights, so the second source got the first one's file.</summary>
    [Fact]
    public void Two_unpinned_sources_with_the_same_file_name_and_size_are_two_entries()
    {
        var other = SeededBytes.Create(_content.Length, seed: 12);
        _server.Serve("a/" + File, _content);
        _server.Serve("b/" + File, other);

        var first = _cache.GetWeights(Unpinned("a/" + File), _httpDownloader.DownloadAsync);
        var second = _cache.GetWeights(Unpinned("b/" + File), _httpDownloader.DownloadAsync);

        Assert.NotEqual(first.Path, second.Path);
        Assert.True(second.Downloaded);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(first.Path));
        Assert.Equal(other, System.IO.File.ReadAllBytes(second.Path));
    }

    [Fact]
    public void Credentials_are_not_part_of_an_entrys_identity()
    {
        var plain = new WeightsRequest(File, 10, new[] { "https://models.example/net.weights" });
        var withUser = new WeightsRequest(File, 10, new[] { "https://bob:secret@models.example/net.weights" });
        var otherHost = new WeightsRequest(File, 10, new[] { "https://mirror.example/net.weights" });
        var otherSize = new WeightsRequest(File, 11, new[] { "https://models.example/net.weights" });

        Assert.Equal(_cache.WeightsPath(plain), _cache.WeightsPath(withUser));
        Assert.DoesNotContain("secret", _cache.WeightsPath(withUser));
        Assert.NotEqual(_cache.WeightsPath(plain), _cache.WeightsPath(otherHost));
        Assert.NotEqual(_cache.WeightsPath(plain), _cache.WeightsPath(otherSize));
    }

    // ---- verified means verified (Must 4) ----

    /// <summary>Before: the damaged file was re-hashed, its hash written into .verified, and the damage used.</summary>
    [Fact]
    public void A_damaged_unpinned_entry_is_replaced_and_its_sidecar_keeps_the_downloaded_hash()
    {
        _server.Serve("u/" + File, _content);
        var request = Unpinned("u/" + File);
        var path = _cache.GetWeights(request, _httpDownloader.DownloadAsync).Path;
        var recorded = System.IO.File.ReadAllText(path + ".verified");
        Thread.Sleep(50);
        Damage(path, 4242);

        var again = _cache.GetWeights(request, _httpDownloader.DownloadAsync);

        Assert.True(again.Downloaded);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(path));
        Assert.Equal(SeededBytes.Sha256(_content), again.Hashes.Sha256);
        Assert.Equal(Hashes(recorded), Hashes(System.IO.File.ReadAllText(path + ".verified")));
    }

    /// <summary>A sidecar's size and hashes: its "identity=" line (issue 8) is the file's, new for every file and every re-check.</summary>
    private static string Hashes(string sidecar) =>
        string.Join("\n", sidecar.Split('\n').Where(line => !line.StartsWith("identity=", StringComparison.Ordinal)));

    [Fact]
    public void Offline_a_damaged_unpinned_entry_is_DKN4006_saying_it_was_damaged()
    {
        _server.Serve("u/" + File, _content);
        var request = Unpinned("u/" + File);
        var path = _cache.GetWeights(request, _httpDownloader.DownloadAsync).Path;
        Thread.Sleep(50);
        Damage(path, 7);

        var error = Assert.Throws<DarknetException>(() => _cache.GetWeights(request, download: null));

        Assert.Equal(ErrorCodes.OfflineMiss, error.Code);
        Assert.Contains("damaged", error.Message);
        Assert.Contains("changed after it was verified", error.Message);
        Assert.False(System.IO.File.Exists(path));
    }

    [Fact]
    public void A_re_verified_entry_keeps_its_record_and_is_trusted_again_without_hashing()
    {
        var path = Get().Path;
        var recorded = System.IO.File.ReadAllText(path + ".verified");
        Thread.Sleep(50);
        System.IO.File.SetLastWriteTimeUtc(path, DateTime.UtcNow);   // touched, same bytes

        var again = Get();

        Assert.False(again.Downloaded);
        Assert.Equal(Hashes(recorded), Hashes(System.IO.File.ReadAllText(path + ".verified")));
        if (FileIdentity.Of(path) is FileIdentity identity)   // re-recorded as it is now: the next use needs no hashing
            Assert.Contains("identity=" + identity + "\n", System.IO.File.ReadAllText(path + ".verified"));
        Assert.True(System.IO.File.GetLastWriteTimeUtc(path + ".verified") >= System.IO.File.GetLastWriteTimeUtc(path));
        Assert.Equal(1, _server.TotalRequests);
    }

    [Fact]
    public void A_converted_output_changed_after_it_was_written_is_written_again()
    {
        var key = ConvertedKey.Compute(SeededBytes.Sha256(_content), "layout", "npy", null, "1");
        var first = _cache.GetConverted(key, "net.npy", output => Write(output, "converted"));
        Thread.Sleep(50);
        MakeWritable(first.Path);
        System.IO.File.WriteAllText(first.Path, "CONVERTED");   // same size, newer

        var calls = 0;
        var again = _cache.GetConverted(key, "net.npy", output =>
        {
            calls++;
            Write(output, "converted");
        });

        Assert.Equal(1, calls);
        Assert.True(again.Published);
        Assert.Equal("converted", System.IO.File.ReadAllText(again.Path));
    }

    [Fact]
    public void RemoveConverted_makes_the_next_use_write_it_again()
    {
        var key = ConvertedKey.Compute(SeededBytes.Sha256(_content), "layout", "npy", null, "1");
        var first = _cache.GetConverted(key, "net.npy", output => Write(output, "converted"));
        _cache.RemoveConverted(key, "net.npy");
        Assert.False(System.IO.File.Exists(first.Path));
        Assert.False(System.IO.File.Exists(first.Path + ".verified"));
        Assert.True(_cache.GetConverted(key, "net.npy", output => Write(output, "converted")).Published);
    }

    // ---- content-keyed entries (configs) ----

    [Fact]
    public void Content_is_published_under_its_own_sha256_once()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("[net]\nwidth=8\n");
        var sha = SeededBytes.Sha256(bytes);

        var first = _cache.PublishContent("configs", "my.cfg", bytes);
        var second = _cache.PublishContent("configs", "my.cfg", bytes);

        Assert.Equal(Path.Combine(_cache.Root, "configs", "sha256-" + sha, "my.cfg"), first.Path);
        Assert.True(first.Published);
        Assert.False(second.Published);
        Assert.Equal(bytes, System.IO.File.ReadAllBytes(first.Path));
        Assert.Equal(first.Path, _cache.TryGetContent("configs", sha, "my.cfg")!.Path);
        Assert.Null(_cache.TryGetContent("configs", new string('0', 64), "my.cfg"));

        Thread.Sleep(50);
        MakeWritable(first.Path);
        System.IO.File.WriteAllText(first.Path, "[net]\nwidth=9\n");
        Assert.Null(_cache.TryGetContent("configs", sha, "my.cfg"));   // damaged: removed, not served
        Assert.False(System.IO.File.Exists(first.Path));
    }

    // ---- partials (Must 3, the cache's side) ----

    [Fact]
    public void The_download_writes_the_entrys_partial_and_a_failed_one_is_left_for_the_next_build()
    {
        var request = Request();
        var partial = _cache.WeightsPath(request) + ".dkn-partial";
        string? given = null;

        Assert.Throws<DarknetException>(() => _cache.GetWeights(request, (r, path, ct) =>
        {
            given = path;
            System.IO.File.WriteAllBytes(path, _content.AsSpan(0, 1000).ToArray());
            System.IO.File.WriteAllText(path + ".json", "{}");
            throw new DarknetException(ErrorCodes.NetworkError, "connection reset");
        }));
        Assert.Equal(partial, given);
        Assert.True(System.IO.File.Exists(partial), "the cache does not delete a partial the downloader left");

        var result = _cache.GetWeights(request, (r, path, ct) =>
        {
            Assert.Equal(1000, new FileInfo(path).Length);   // there to be resumed
            System.IO.File.WriteAllBytes(path, _content);
            return Task.FromResult(Darknet.Cache.FileHashes.Compute(path));
        });

        Assert.True(result.Downloaded);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(result.Path));
        Assert.False(System.IO.File.Exists(partial), "published by rename");
        Assert.False(System.IO.File.Exists(partial + ".json"));
    }

    [Fact]
    public void Partials_nobody_resumed_for_a_week_and_partials_of_published_entries_are_deleted()
    {
        var request = Request();
        var path = _cache.WeightsPath(request);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var abandoned = Path.Combine(Path.GetDirectoryName(path)!, "other.weights.dkn-partial");
        System.IO.File.WriteAllBytes(abandoned, new byte[10]);
        System.IO.File.WriteAllText(abandoned + ".json", "{}");
        System.IO.File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddDays(-8));
        var recent = Path.Combine(Path.GetDirectoryName(path)!, "recent.weights.dkn-partial");
        System.IO.File.WriteAllBytes(recent, new byte[10]);

        Get(request);
        Assert.False(System.IO.File.Exists(abandoned));
        Assert.False(System.IO.File.Exists(abandoned + ".json"));
        Assert.True(System.IO.File.Exists(recent));

        // Another build published the entry while this one's partial was left: the partial has no use any more.
        System.IO.File.WriteAllBytes(path + ".dkn-partial", new byte[10]);
        System.IO.File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));   // forces the locked re-check
        Get(request);
        Assert.False(System.IO.File.Exists(path + ".dkn-partial"));
    }

    /// <summary>
    /// Issue 19: a temp's writer is judged by its entry's lock, never by the pid in its name (a pid from another container
    /// or machine says nothing here). Before, a fresh temp naming a pid not running here was deleted even while its
    /// writer, in another PID namespace, held the entry's lock.
    /// </summary>
    [Fact]
    public void DeleteLitter_removes_temps_under_their_entrys_lock_or_by_age_and_abandoned_partials_anywhere_in_the_cache()
    {
        var directory = Path.Combine(_cache.Root, "converted", "abc");
        Directory.CreateDirectory(directory);
        System.IO.File.WriteAllBytes(Path.Combine(directory, "net.npy.lock"), Array.Empty<byte>());
        var freeTemp = Path.Combine(directory, ".net.npy.999999-0badc0de.dkn-tmp");
        var ownTemp = Darknet.Weights.IO.TempFiles.PathFor(Path.Combine(directory, "net.npy"));
        using var held = EntryLock.TryAcquire(Path.Combine(directory, "busy.npy.lock"))!;
        var busyTemp = Path.Combine(directory, ".busy.npy.999999-0badc0de.dkn-tmp");
        var freshUnlocked = Path.Combine(directory, ".other.npy.999999-0badc0de.dkn-tmp");
        var oldUnlocked = Path.Combine(directory, ".older.npy.1-0badc0de.dkn-tmp");
        foreach (var temp in new[] { freeTemp, ownTemp, busyTemp, freshUnlocked, oldUnlocked }) System.IO.File.WriteAllBytes(temp, new byte[10]);
        System.IO.File.SetLastWriteTimeUtc(busyTemp, DateTime.UtcNow.AddDays(-30));
        System.IO.File.SetLastWriteTimeUtc(oldUnlocked, DateTime.UtcNow - Darknet.Weights.IO.TempFiles.MaxAge - TimeSpan.FromHours(1));
        var old = Path.Combine(_cache.Root, "weights", "url-x", "w.weights.dkn-partial");
        Directory.CreateDirectory(Path.GetDirectoryName(old)!);
        System.IO.File.WriteAllBytes(old, new byte[10]);
        System.IO.File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-30));

        Assert.Equal(4, _cache.DeleteLitter());
        Assert.False(System.IO.File.Exists(freeTemp), "nobody holds net.npy's lock, so nobody writes its temps");
        Assert.False(System.IO.File.Exists(ownTemp), "a temp is judged by its lock, not by the pid it names (even this one's)");
        Assert.False(System.IO.File.Exists(oldUnlocked), "no lock covers it and it is older than TempFiles.MaxAge");
        Assert.False(System.IO.File.Exists(old));
        Assert.True(System.IO.File.Exists(busyTemp), "the temp of an entry whose lock is held stays, whatever its age and pid");
        Assert.True(System.IO.File.Exists(freshUnlocked), "a fresh temp no lock covers stays until it is old");
        Assert.True(System.IO.File.Exists(Path.Combine(directory, "net.npy.lock")), "a lock file is never deleted");
    }

    // ---- coded failures (Must 10) ----

    /// <summary>Before: DKN5099 (a bug). Now its own code, naming the directory.</summary>
    [Fact]
    public void An_entry_that_became_a_directory_is_DKN4016()
    {
        var request = Request();
        Directory.CreateDirectory(_cache.WeightsPath(request));

        var error = Assert.Throws<DarknetException>(() => Get(request));

        Assert.Equal(ErrorCodes.EntryNotAFile, error.Code);
        Assert.Contains(_cache.WeightsPath(request), error.Message);
        Assert.Equal(0, _server.TotalRequests);
    }

    /// <summary>Clears the read-only mode a published entry has on Linux, so a test (not running as root) can damage it.</summary>
    internal static void MakeWritable(string path) =>
        System.IO.File.SetAttributes(path, System.IO.File.GetAttributes(path) & ~FileAttributes.ReadOnly);

    private static void Damage(string path, long position)
    {
        MakeWritable(path);
        using var stream = new FileStream(path, FileMode.Open);
        stream.Position = position;
        var b = stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(b ^ 0xFF));
    }
}
