using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Darknet.Weights;
using Darknet.Testing;

namespace Darknet.Build.Tests.Cache.Download;

/// <summary>
/// The downloader hashes the bytes as it writes them (no second pass over the file): the hashes it returns, and the cache
/// records, must be those of exactly the bytes on disk, however the file was put together (one response, resumed in
/// this run, or continued from an earlier run's partial, read back from the disk).
/// </summary>
public sealed class HashingWhileDownloadingTests : IDisposable
{
    private const string File = "net.weights";
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _temp = new();
    private readonly byte[] _content = SeededBytes.Create(3 * 1024 * 1024 + 17, seed: 21);

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private string Destination => _temp.Combine("download.part");

    private static DownloadOptions Fast() => WeightsDownloaderTests.FastHttp();

    private WeightsRequest PinnedSha256() => new(File, _content.Length, new[] { _server.Url(File) }, sha256: SeededBytes.Sha256(_content));

    private WeightsRequest PublishedSha1() => new(File, _content.Length, new[] { _server.Url(File) }, sha1: SeededBytes.Sha1(_content));

    private WeightsRequest Unhashed() => new(File, _content.Length, new[] { _server.Url(File) });

    /// <summary>The real hashes of the file as it is on disk now.</summary>
    private (string Sha256, string Sha1) OnDisk()
    {
        var bytes = System.IO.File.ReadAllBytes(Destination);
        return (SeededBytes.Sha256(bytes), SeededBytes.Sha1(bytes));
    }

    [Fact]
    public async Task A_one_response_download_returns_the_files_sha256_and_its_sha1_only_when_one_is_published()
    {
        _server.Serve(File, _content);

        var published = await new WeightsDownloader(Fast()).DownloadAsync(PublishedSha1(), Destination);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal((SeededBytes.Sha256(_content), SeededBytes.Sha1(_content)), (published.Sha256, published.Sha1));
        Assert.Equal(_content.Length, published.Size);

        foreach (var request in new[] { PinnedSha256(), Unhashed() })
        {
            System.IO.File.Delete(Destination);
            var hashes = await new WeightsDownloader(Fast()).DownloadAsync(request, Destination);
            Assert.Equal(SeededBytes.Sha256(_content), hashes.Sha256);
            Assert.Equal("", hashes.Sha1);   // nothing checks a SHA-1 here: none is computed
            Assert.Equal(_content.Length, hashes.Size);
        }
        Assert.Equal(new[] { 200, 200, 200 }, _server.Requests.Select(r => r.Status));
    }

    /// <summary>Cut three times and resumed in the same run: the hashes go on across the four responses.</summary>
    [Theory]
    [InlineData("sha256")]
    [InlineData("sha1")]
    [InlineData("none")]
    public async Task A_download_cut_and_resumed_in_one_run_gets_the_hashes_of_the_whole_file(string hash)
    {
        _server.Serve(File, _content);
        _server.DropAfter(File, 900_000, times: 3);
        var request = hash == "sha256" ? PinnedSha256() : hash == "sha1" ? PublishedSha1() : Unhashed();

        var hashes = await new WeightsDownloader(Fast()).DownloadAsync(request, Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new[] { 200, 206, 206, 206 }, _server.Requests.Select(r => r.Status));
        Assert.Equal(SeededBytes.Sha256(_content), hashes.Sha256);
        Assert.Equal(hash == "sha1" ? SeededBytes.Sha1(_content) : "", hashes.Sha1);
    }

    /// <summary>Leaves an earlier run's partial: the first <paramref name="bytes"/> bytes and their metadata (as a cancelled run does).</summary>
    private async Task LeaveAPartial(WeightsRequest request, long bytes)
    {
        _server.StallAfter(File, bytes, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();
        var download = new WeightsDownloader(Fast()).DownloadAsync(request, Destination, cancel.Token);
        var deadline = DateTime.UtcNow.AddSeconds(8);
        while (DateTime.UtcNow < deadline && !(System.IO.File.Exists(Destination) && new FileInfo(Destination).Length >= bytes)) await Task.Delay(20);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download);
        Assert.Equal(bytes, new FileInfo(Destination).Length);
        Assert.True(System.IO.File.Exists(Destination + ".json"));
    }

    private void DamageByteOfThePartial(long at)
    {
        using var file = new FileStream(Destination, FileMode.Open, FileAccess.ReadWrite);
        file.Position = at;
        var b = file.ReadByte();
        file.Position = at;
        file.WriteByte((byte)(b ^ 0x5A));
    }

    [Fact]
    public async Task An_earlier_runs_partial_is_resumed_and_the_whole_file_is_hashed_and_verified()
    {
        _server.Serve(File, _content);
        await LeaveAPartial(PublishedSha1(), 1_000_000);

        var hashes = await new WeightsDownloader(Fast()).DownloadAsync(PublishedSha1(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, "bytes=1000000-" }, _server.RangeHeaders(File));
        Assert.Equal((SeededBytes.Sha256(_content), SeededBytes.Sha1(_content)), (hashes.Sha256, hashes.Sha1));
    }

    /// <summary>
    /// A byte of an earlier run's partial changed on disk before the resume (a bad disk, a stray write): the prefix is
    /// hashed from the disk, so the published hash fails and the file is downloaded once more from byte 0.
    /// </summary>
    [Theory]
    [InlineData("sha256")]
    [InlineData("sha1")]
    public async Task A_damaged_byte_in_an_earlier_runs_partial_fails_the_check_and_the_file_is_downloaded_again(string hash)
    {
        _server.Serve(File, _content);
        var request = hash == "sha256" ? PinnedSha256() : PublishedSha1();
        await LeaveAPartial(request, 1_000_000);
        DamageByteOfThePartial(123_456);
        var log = new List<string>();
        var options = Fast();

        var hashes = await new WeightsDownloader(options, new RecordingLog(log.Add)).DownloadAsync(request, Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, "bytes=1000000-", null }, _server.RangeHeaders(File));
        Assert.Contains(log, line => line.StartsWith(ErrorCodes.HashMismatch, StringComparison.Ordinal) && line.Contains("downloading it once more from the start"));
        Assert.Equal(SeededBytes.Sha256(_content), hashes.Sha256);
    }

    /// <summary>No hash to check it: the damaged file is kept (only a hash could tell), but what is returned is its real hash, not the server's file's.</summary>
    [Fact]
    public async Task Without_a_hash_to_check_a_damaged_partial_gets_the_hashes_of_the_bytes_on_disk()
    {
        _server.Serve(File, _content);
        await LeaveAPartial(Unhashed(), 1_000_000);
        DamageByteOfThePartial(654_321);

        var hashes = await new WeightsDownloader(Fast()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(206, _server.Requests[1].Status);
        Assert.NotEqual(SeededBytes.Sha256(_content), hashes.Sha256);
        Assert.Equal(OnDisk().Sha256, hashes.Sha256);
    }

    /// <summary>A whole partial left by an earlier run: nothing is downloaded, the file is hashed from the disk.</summary>
    [Fact]
    public async Task A_whole_partial_from_an_earlier_run_is_hashed_from_the_disk()
    {
        _server.Serve(File, _content);
        System.IO.File.WriteAllBytes(Destination, _content);
        System.IO.File.WriteAllText(Destination + ".json",
            "{\"url\":\"" + _server.Url(File) + "\",\"validator\":\"\\\"v1-" + _content.Length + "\\\"\",\"size\":" + _content.Length + "}");

        var hashes = await new WeightsDownloader(Fast()).DownloadAsync(PublishedSha1(), Destination);

        Assert.Equal(0, _server.RequestCount(File));
        Assert.Equal((SeededBytes.Sha256(_content), SeededBytes.Sha1(_content)), (hashes.Sha256, hashes.Sha1));
    }

    /// <summary>
    /// A SHA-1 is computed and checked only where no SHA-256 is known. An entry downloaded under a pinned SHA-256 records
    /// no SHA-1, and still serves a request with the same SHA-256 that also carries a published SHA-1 (the catalog's
    /// yolov3 has both) without a download.
    /// </summary>
    [Fact]
    public void An_entry_recorded_without_a_sha1_serves_a_request_with_the_same_sha256_and_a_sha1()
    {
        _server.Serve(File, _content);
        var cache = new MachineCache(_temp.Combine("cache"));
        var downloader = new WeightsDownloader(Fast());

        var first = cache.GetWeights(PinnedSha256(), downloader.DownloadAsync);
        Assert.Contains("sha1=\n", System.IO.File.ReadAllText(first.Path + ".verified"));
        var both = new WeightsRequest(File, _content.Length, new[] { _server.Url(File) }, sha256: SeededBytes.Sha256(_content), sha1: SeededBytes.Sha1(_content));
        var second = cache.GetWeights(both, downloader.DownloadAsync);

        Assert.Equal(first.Path, second.Path);
        Assert.False(second.Downloaded);
        Assert.Equal(1, _server.RequestCount(File));
        Assert.Null(WeightsVerifier.Check(both, new FileHashes(_content.Length, SeededBytes.Sha256(_content), ""), "test"));
        Assert.NotNull(WeightsVerifier.Check(both, new FileHashes(_content.Length, SeededBytes.Sha256(_content.Reverse().ToArray()), SeededBytes.Sha1(_content)), "test"));
    }
}
