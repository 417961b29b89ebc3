using System.Diagnostics;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Cache.Download;

public sealed class WeightsDownloaderTests : IDisposable
{
    private const string File = "net.weights";
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _temp = new();
    private readonly byte[] _content = SeededBytes.Create(3 * 1024 * 1024 + 17, seed: 1);

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private string Destination => _temp.Combine("download.part");

    private static DownloadOptions Fast() => new()
    {
        InitialRetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        StallTimeout = TimeSpan.FromSeconds(10),
        // Hermetic: no DARKNET_MIRROR_TOKEN or ~/.netrc of the machine running the tests.
        Credentials = new RequestCredentials(null, null, null),
    };

    private WeightsRequest Pinned(params string[] urls) =>
        new(File, _content.Length, urls.Length > 0 ? urls : new[] { _server.Url(File) }, sha256: SeededBytes.Sha256(_content));

    private string Metadata => Destination + ".json";

    private async Task<DarknetException> Fails(WeightsDownloader downloader, WeightsRequest request)
    {
        var error = await Assert.ThrowsAsync<DarknetException>(() => downloader.DownloadAsync(request, Destination));
        Assert.False(System.IO.File.Exists(Destination), "a failed download leaves no file");
        Assert.False(System.IO.File.Exists(Metadata), "nor metadata");
        return error;
    }

    /// <summary>No hash to check the result: only validators can keep a resume from mixing versions.</summary>
    private WeightsRequest Unhashed(string? url = null) => new(File, _content.Length, new[] { url ?? _server.Url(File) });

    /// <summary>Short retries and stall timeout, plain http allowed, no machine credentials: for loopback downloads.</summary>
    internal static DownloadOptions FastHttp()
    {
        var options = Fast();
        options.AllowHttp = true;
        return options;
    }

    [Fact]
    public async Task Downloads_and_verifies_a_pinned_file()
    {
        _server.Serve(File, _content);
        var hashes = await new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(SeededBytes.Sha256(_content), hashes.Sha256);
        Assert.Equal("", hashes.Sha1);   // a pinned SHA-256 and no SHA-1 to check: none is computed (HashingWhileDownloadingTests)
        Assert.Equal(1, _server.RequestCount(File));
    }

    [Fact]
    public async Task Resumes_with_a_range_request_after_a_dropped_connection()
    {
        _server.Serve(File, _content);
        _server.DropAfter(File, 1_000_000);

        await new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, "bytes=1000000-" }, _server.RangeHeaders(File));
        Assert.Equal(new[] { 200, 206 }, _server.Requests.Select(r => r.Status));
        Assert.Equal(new string?[] { null, "\"v1-" + _content.Length + "\"" }, _server.Requests.Select(r => r.IfRange));
        Assert.False(System.IO.File.Exists(Metadata), "the partial's metadata is gone once the file is complete");
    }

    [Fact]
    public async Task Without_an_etag_the_resume_carries_last_modified_as_if_range()
    {
        _server.Serve(File, _content);
        _server.Validators(File, etag: false, lastModified: true);
        _server.DropAfter(File, 1_000_000);

        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new[] { 200, 206 }, _server.Requests.Select(r => r.Status));
        Assert.Equal("Mon, 01 Jan 2024 00:01:00 GMT", _server.Requests[1].IfRange);
    }

    [Fact]
    public async Task A_weak_etag_is_not_a_validator_last_modified_is_used()
    {
        _server.Serve(File, _content);
        _server.Validators(File, etag: true, lastModified: true, weakETag: true);
        _server.DropAfter(File, 1_000_000);

        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal("Mon, 01 Jan 2024 00:01:00 GMT", _server.Requests[1].IfRange);
    }

    /// <summary>The issue's case: cut, the file changes, resume. The server sees If-Range and answers 200 with the new file.</summary>
    [Fact]
    public async Task A_file_changed_between_the_cut_and_the_resume_is_downloaded_whole_not_mixed()
    {
        var changed = SeededBytes.Create(_content.Length, seed: 9);
        _server.Serve(File, _content);
        _server.DropAfter(File, 1_000_000);
        _server.ChangeContentAfter(File, 1, changed);

        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(changed, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new[] { 200, 200 }, _server.Requests.Select(r => r.Status));
    }

    /// <summary>A server that ignores If-Range sends the new file's tail with the new ETag: the client starts again from byte 0.</summary>
    [Fact]
    public async Task A_206_with_another_validator_starts_again_from_byte_zero()
    {
        var changed = SeededBytes.Create(_content.Length, seed: 9);
        _server.Serve(File, _content);
        _server.IgnoreIfRange(File);
        _server.DropAfter(File, 1_000_000);
        _server.ChangeContentAfter(File, 1, changed);

        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(changed, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, "bytes=1000000-", null }, _server.RangeHeaders(File));
        Assert.Equal(new[] { 200, 206, 200 }, _server.Requests.Select(r => r.Status));
    }

    /// <summary>A 206 whose Content-Range does not start where the bytes held end: never appended, the file starts again from 0.</summary>
    [Fact]
    public async Task A_content_range_that_does_not_continue_the_file_starts_again_from_byte_zero()
    {
        _server.Serve(File, _content);
        _server.DropAfter(File, 1_000_000);
        _server.ShiftRange(File, 1000);

        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, "bytes=1000000-", null }, _server.RangeHeaders(File));
        Assert.Equal(new[] { 200, 206, 200 }, _server.Requests.Select(r => r.Status));
    }

    /// <summary>No validator and no hash (a built-in without a published hash on such a server): never resume, start from 0.</summary>
    [Fact]
    public async Task Without_validator_or_hash_a_cut_download_starts_again_from_byte_zero()
    {
        var changed = SeededBytes.Create(_content.Length, seed: 9);
        _server.Serve(File, _content);
        _server.Validators(File, etag: false, lastModified: false);
        _server.DropAfter(File, 1_000_000);
        _server.ChangeContentAfter(File, 1, changed);

        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(changed, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, null }, _server.RangeHeaders(File));
    }

    /// <summary>No validator but a hash: the resume is allowed; a mixed result fails the hash and is fetched once more from byte 0.</summary>
    [Fact]
    public async Task Without_validator_a_hashed_resume_that_mixed_versions_is_downloaded_again_whole()
    {
        var changed = SeededBytes.Create(_content.Length, seed: 9);
        _server.Serve(File, _content);
        _server.Validators(File, etag: false, lastModified: false);
        _server.DropAfter(File, 1_000_000);
        _server.ChangeContentAfter(File, 1, changed);
        var request = new WeightsRequest(File, _content.Length, new[] { _server.Url(File) }, sha256: SeededBytes.Sha256(changed));

        await new WeightsDownloader(Fast()).DownloadAsync(request, Destination);

        Assert.Equal(changed, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, "bytes=1000000-", null }, _server.RangeHeaders(File));
        Assert.All(_server.Requests, r => Assert.Null(r.IfRange));
    }

    /// <summary>Starts a download, waits until the partial holds <paramref name="bytes"/> (where the server stalls), then cancels it.</summary>
    private async Task CancelDuringTheStall(WeightsRequest request, long bytes)
    {
        using var cancel = new CancellationTokenSource();
        var download = new WeightsDownloader(FastHttp()).DownloadAsync(request, Destination, cancel.Token);
        var deadline = DateTime.UtcNow.AddSeconds(8);
        while (DateTime.UtcNow < deadline && !(System.IO.File.Exists(Destination) && new FileInfo(Destination).Length >= bytes)) await Task.Delay(20);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download);
        Assert.Equal(1, _server.RequestCount(File));
    }

    /// <summary>Must 3, downloader side: a cancelled download leaves its partial and metadata; the next call continues it.</summary>
    [Fact]
    public async Task A_cancelled_download_is_continued_by_the_next_call_with_range_and_if_range()
    {
        _server.Serve(File, _content);
        _server.StallAfter(File, 1_000_000, TimeSpan.FromSeconds(30));
        await CancelDuringTheStall(Unhashed("http://user:s3cret@127.0.0.1:" + _server.Port + "/" + File), 1_000_000);
        Assert.Equal(1_000_000, new FileInfo(Destination).Length);
        var metadata = System.IO.File.ReadAllText(Metadata);
        Assert.Contains("\"url\":\"" + _server.Url(File) + "\"", metadata);
        Assert.Contains("\"size\":" + _content.Length, metadata);
        Assert.Contains("v1-", metadata);
        Assert.DoesNotContain("s3cret", metadata);

        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal("bytes=1000000-", _server.RangeHeaders(File)[1]);
        Assert.Equal(206, _server.Requests[1].Status);
    }

    [Fact]
    public async Task A_partial_of_another_url_or_without_metadata_is_started_again()
    {
        _server.Serve(File, _content);
        System.IO.File.WriteAllBytes(Destination, _content.AsSpan(0, 500_000).ToArray());
        System.IO.File.WriteAllText(Metadata, "{\"url\":\"http://elsewhere.invalid/net.weights\",\"validator\":\"\\\"v1-" + _content.Length + "\\\"\",\"size\":" + _content.Length + "}");

        await new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination);
        System.IO.File.WriteAllBytes(Destination, _content.AsSpan(0, 500_000).ToArray());
        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, null }, _server.RangeHeaders(File));
    }

    /// <summary>An earlier run's partial that is whole but fails the hash (two versions joined, say) is fetched once more from byte 0.</summary>
    [Fact]
    public async Task A_whole_partial_from_an_earlier_run_that_fails_its_hash_is_downloaded_again()
    {
        _server.Serve(File, _content);
        System.IO.File.WriteAllBytes(Destination, SeededBytes.Create(_content.Length, seed: 4));
        System.IO.File.WriteAllText(Metadata, "{\"url\":\"" + _server.Url(File) + "\",\"validator\":null,\"size\":" + _content.Length + "}");

        await new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null }, _server.RangeHeaders(File));
    }

    /// <summary>A killed run's partial of a file that changed since: If-Range makes the server send the whole new file.</summary>
    [Fact]
    public async Task A_partial_left_by_an_earlier_run_of_a_changed_file_is_replaced_whole()
    {
        var changed = SeededBytes.Create(_content.Length, seed: 9);
        _server.Serve(File, _content);
        _server.StallAfter(File, 1_000_000, TimeSpan.FromSeconds(30));
        await CancelDuringTheStall(Unhashed(), 1_000_000);
        _server.Serve(File, changed);

        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(), Destination);

        Assert.Equal(changed, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal("bytes=1000000-", _server.RangeHeaders(File)[1]);
        Assert.Equal(200, _server.Requests[1].Status);
    }

    [Fact]
    public async Task Starts_over_when_the_server_ignores_the_range()
    {
        _server.Serve(File, _content);
        _server.DropAfter(File, 1_000_000);
        _server.IgnoreRange(File);

        await new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, "bytes=1000000-" }, _server.RangeHeaders(File));
        Assert.Equal(new[] { 200, 200 }, _server.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task Keeps_resuming_while_each_attempt_makes_progress()
    {
        _server.Serve(File, _content);
        _server.DropAfter(File, 700_000, times: 4);
        var options = Fast();
        options.MaxAttemptsPerUrl = 2;

        await new WeightsDownloader(options).DownloadAsync(Pinned(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(5, _server.RequestCount(File));
        Assert.Equal("bytes=2800000-", _server.RangeHeaders(File)[4]);
    }

    [Fact]
    public async Task Retries_on_503_then_succeeds()
    {
        _server.Serve(File, _content);
        _server.FailNext(File, 2, 503);

        await new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination);

        Assert.Equal(3, _server.RequestCount(File));
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(408)]
    public async Task Retries_on_other_retryable_statuses(int status)
    {
        _server.Serve(File, _content);
        _server.FailNext(File, 1, status);

        await new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination);

        Assert.Equal(2, _server.RequestCount(File));
    }

    [Fact]
    public async Task Retry_delays_double_up_to_the_maximum()
    {
        _server.Serve(File, _content);
        _server.FailNext(File, 4, 503);
        var options = Fast();
        options.InitialRetryDelay = TimeSpan.FromMilliseconds(200);
        options.MaxRetryDelay = TimeSpan.FromMilliseconds(500);
        options.MaxAttemptsPerUrl = 5;
        var log = new List<string>();
        var clock = Stopwatch.StartNew();

        await new WeightsDownloader(options, new RecordingLog(log.Add)).DownloadAsync(Pinned(), Destination);

        var waits = log.Select(line => System.Text.RegularExpressions.Regex.Match(line, @"retrying in ([0-9.]+) s"))
            .Where(m => m.Success).Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new[] { 0.2, 0.4, 0.5, 0.5 }, waits);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), "the delays were waited for: " + clock.Elapsed);
        Assert.Equal(5, _server.RequestCount(File));
    }

    [Fact]
    public async Task Honours_retry_after_on_429()
    {
        _server.Serve(File, _content);
        _server.FailNext(File, 1, 429, retryAfterSeconds: 1);
        var clock = Stopwatch.StartNew();

        await new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination);

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), "waited " + clock.Elapsed);
        Assert.Equal(2, _server.RequestCount(File));
    }

    [Fact]
    public async Task A_long_retry_after_moves_on_to_the_next_url()
    {
        _server.Serve("mirror/" + File, _content);
        _server.FailNext(File, 1, 503, retryAfterSeconds: 3600);
        var clock = Stopwatch.StartNew();

        await new WeightsDownloader(Fast()).DownloadAsync(Pinned(_server.Url(File), _server.Url("mirror/" + File)), Destination);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "took " + clock.Elapsed);
        Assert.Equal(1, _server.RequestCount(File));
        Assert.Equal(1, _server.RequestCount("mirror/" + File));
    }

    [Fact]
    public async Task Gives_up_on_a_url_after_the_configured_attempts()
    {
        _server.Serve(File, _content);
        _server.FailNext(File, 100, 500);
        var options = Fast();
        options.MaxAttemptsPerUrl = 3;

        var error = await Fails(new WeightsDownloader(options), Pinned());

        Assert.Equal(ErrorCodes.HttpStatus, error.Code);
        Assert.Contains("500", error.Message);
        Assert.Contains(_server.Url(File), error.Message);
        Assert.Equal(3, _server.RequestCount(File));
    }

    [Fact]
    public async Task Not_found_moves_to_the_next_url_at_once()
    {
        _server.Serve("mirror/" + File, _content);

        await new WeightsDownloader(Fast()).DownloadAsync(Pinned(_server.Url("gone/" + File), _server.Url("mirror/" + File)), Destination);

        Assert.Equal(1, _server.RequestCount("gone/" + File));
        Assert.Equal(1, _server.RequestCount("mirror/" + File));
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
    }

    [Fact]
    public async Task Html_page_is_refused_and_the_mirror_is_used()
    {
        // The real yolov3 case: the upstream host answers 200 with an HTML page, the mirror has the file.
        _server.SendHtml("upstream/" + File);
        _server.Serve("mirror/" + File, _content);
        var log = new List<string>();
        var options = Fast();

        await new WeightsDownloader(options, new RecordingLog(log.Add)).DownloadAsync(Pinned(_server.Url("upstream/" + File), _server.Url("mirror/" + File)), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(1, _server.RequestCount("upstream/" + File));
        Assert.Contains(log, line => line.StartsWith(ErrorCodes.HtmlPage) && line.Contains("HTML page"));
    }

    [Fact]
    public async Task Html_page_without_an_html_content_type_is_sniffed()
    {
        _server.SendHtml(File, contentType: "application/octet-stream");

        var error = await Fails(new WeightsDownloader(Fast()), Pinned());

        Assert.Equal(ErrorCodes.HtmlPage, error.Code);
        Assert.Contains("sent an HTML page instead of the weights file", error.Message);
        Assert.Equal(1, _server.RequestCount(File));
    }

    [Fact]
    public async Task Wrong_announced_size_is_refused()
    {
        _server.Serve(File, _content);
        _server.SendWrongLength(File, _content.Length - 100);

        var error = await Fails(new WeightsDownloader(Fast()), Pinned());

        Assert.Equal(ErrorCodes.WrongSize, error.Code);
        Assert.Contains((_content.Length - 100).ToString(), error.Message);
        Assert.Contains(_content.Length.ToString(), error.Message);
        Assert.Equal(1, _server.RequestCount(File));
    }

    [Fact]
    public async Task Stall_timeout_aborts_the_attempt_and_resumes()
    {
        _server.Serve(File, _content);
        _server.StallAfter(File, 500_000, TimeSpan.FromSeconds(20));
        var options = Fast();
        options.StallTimeout = TimeSpan.FromSeconds(1.5);
        var clock = Stopwatch.StartNew();

        await new WeightsDownloader(options).DownloadAsync(Pinned(), Destination);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "took " + clock.Elapsed);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(new string?[] { null, "bytes=500000-" }, _server.RangeHeaders(File));
    }

    [Fact]
    public async Task Plain_http_is_refused_without_a_pinned_hash()
    {
        _server.Serve(File, _content);
        var request = new WeightsRequest(File, _content.Length, new[] { _server.Url(File) }, sha1: SeededBytes.Sha1(_content));

        var error = await Fails(new WeightsDownloader(Fast()), request);

        Assert.Equal(ErrorCodes.HttpRefused, error.Code);
        Assert.Contains("DarknetAllowHttp", error.Message);
        Assert.Equal(0, _server.TotalRequests);
    }

    [Fact]
    public async Task Plain_http_is_allowed_with_allow_http()
    {
        _server.Serve(File, _content);
        var request = new WeightsRequest(File, _content.Length, new[] { _server.Url(File) });
        var options = Fast();
        options.AllowHttp = true;

        var hashes = await new WeightsDownloader(options).DownloadAsync(request, Destination);

        Assert.Equal(SeededBytes.Sha256(_content), hashes.Sha256);
    }

    [Fact]
    public async Task Sha256_mismatch_is_refused_with_expected_actual_and_url()
    {
        var other = SeededBytes.Create(_content.Length, seed: 2);
        _server.Serve(File, other);

        var error = await Fails(new WeightsDownloader(Fast()), Pinned());

        Assert.Equal(ErrorCodes.HashMismatch, error.Code);
        Assert.Contains(SeededBytes.Sha256(_content), error.Message);
        Assert.Contains(SeededBytes.Sha256(other), error.Message);
        Assert.Contains(_server.Url(File), error.Message);
    }

    [Fact]
    public async Task Sha1_from_the_catalog_is_checked()
    {
        var other = SeededBytes.Create(_content.Length, seed: 3);
        _server.Serve(File, other);
        var options = Fast();
        options.AllowHttp = true;
        var request = new WeightsRequest(File, _content.Length, new[] { _server.Url(File) }, sha1: SeededBytes.Sha1(_content));

        var error = await Fails(new WeightsDownloader(options), request);

        Assert.Equal(ErrorCodes.HashMismatch, error.Code);
        Assert.Contains("SHA-1", error.Message);
    }

    [Fact]
    public async Task All_failing_urls_are_listed_in_one_error()
    {
        _server.SendHtml("a/" + File);
        var request = Pinned(_server.Url("a/" + File), _server.Url("b/" + File));

        var error = await Fails(new WeightsDownloader(Fast()), request);

        Assert.Equal(ErrorCodes.AllUrlsFailed, error.Code);
        Assert.Contains(_server.Url("a/" + File) + " -> " + ErrorCodes.HtmlPage, error.Message);
        Assert.Contains(_server.Url("b/" + File) + " -> " + ErrorCodes.HttpStatus, error.Message);
        Assert.Contains("404", error.Message);
    }

    /// <summary>Cancellation stops promptly and (Must 3) leaves the partial and its metadata for the next run to resume.</summary>
    [Fact]
    public async Task Cancellation_stops_promptly_and_leaves_a_resumable_partial()
    {
        _server.Serve(File, _content);
        _server.StallAfter(File, 200_000, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();
        var download = new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination, cancel.Token);
        // Cancelled once the stall has begun (not after a fixed delay: on a loaded machine the first bytes can take longer).
        var waited = Stopwatch.StartNew();
        while (!(_server.BodyBytesSent(File) >= 200_000 && System.IO.File.Exists(Destination) && new FileInfo(Destination).Length == 200_000))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(25), "the first 200,000 bytes never reached the partial");
            await Task.Delay(20);
        }
        var clock = Stopwatch.StartNew();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "took " + clock.Elapsed);
        Assert.Equal(200_000, new FileInfo(Destination).Length);
        Assert.True(System.IO.File.Exists(Metadata));
    }

    [Fact]
    public async Task A_network_failure_that_gives_up_leaves_the_partial()
    {
        _server.Serve(File, _content);
        _server.DropAfter(File, 300_000);
        _server.FailNext(File, 100, 503);
        var options = Fast();
        options.MaxAttemptsPerUrl = 2;

        var error = await Assert.ThrowsAsync<DarknetException>(() => new WeightsDownloader(options).DownloadAsync(Pinned(), Destination));

        Assert.Equal(ErrorCodes.HttpStatus, error.Code);
        Assert.Equal(300_000, new FileInfo(Destination).Length);
        Assert.True(System.IO.File.Exists(Metadata));
    }

    // Must 5: credentials.

    [Fact]
    public async Task Credentials_become_a_basic_header_for_their_own_host_and_appear_in_no_message()
    {
        _server.Serve(File, _content);
        _server.DropAfter(File, 1_000_000);
        var lines = new List<string>();
        var options = FastHttp();
        var url = "http://alice:s3cr%40t@127.0.0.1:" + _server.Port + "/" + File;

        await new WeightsDownloader(options, new RecordingLog(lines.Add, p => lines.Add(p.ToString()))).DownloadAsync(Unhashed(url), Destination);

        var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("alice:s3cr@t"));
        Assert.All(_server.Requests, r => Assert.Equal(expected, r.Authorization));
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.DoesNotContain("s3cr", line));
        Assert.Contains(lines, line => line.Contains("http://***@127.0.0.1:"));
    }

    [Fact]
    public async Task Credentials_are_dropped_on_a_redirect_to_another_host_and_kept_on_the_same_one()
    {
        using var other = new WeightsServer();
        other.Serve(File, _content);
        _server.Redirect("moved/" + File, "/" + File);           // same origin: keeps the header
        _server.Redirect(File, other.Url(File), status: 307);     // another port: another origin
        var url = "http://alice:s3cret@127.0.0.1:" + _server.Port + "/moved/" + File;

        await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(url), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(2, _server.Requests.Count(r => r.Authorization != null));
        Assert.Equal(1, other.TotalRequests);
        Assert.Null(other.Requests[0].Authorization);
    }

    [Fact]
    public async Task A_redirect_loop_is_its_own_error_without_the_credentials()
    {
        _server.Redirect(File, "/" + File);
        var url = "http://alice:s3cret@127.0.0.1:" + _server.Port + "/" + File;

        var error = await Fails(new WeightsDownloader(FastHttp()), Unhashed(url));

        Assert.Equal(ErrorCodes.TooManyRedirects, error.Code);
        Assert.Equal(HttpGet.MaxRedirects + 1, _server.RequestCount(File));
        Assert.DoesNotContain("s3cret", error.Message);
        Assert.Contains("***@", error.Message);
    }

    [Fact]
    public async Task Errors_of_every_url_show_them_without_credentials()
    {
        _server.SendHtml("a/" + File);
        var request = new WeightsRequest(File, _content.Length, new[]
        {
            "http://alice:s3cret@127.0.0.1:" + _server.Port + "/a/" + File,
            "http://bob:hunter2@127.0.0.1:" + _server.Port + "/b/" + File,
        });
        var lines = new List<string>();
        var options = FastHttp();

        var error = await Fails(new WeightsDownloader(options, new RecordingLog(lines.Add)), request);

        Assert.Equal(ErrorCodes.AllUrlsFailed, error.Code);
        foreach (var text in lines.Append(error.Message))
        {
            Assert.DoesNotContain("s3cret", text);
            Assert.DoesNotContain("hunter2", text);
        }
        Assert.Contains("http://***@127.0.0.1:" + _server.Port + "/b/" + File + " -> " + ErrorCodes.HttpStatus, error.Message);
    }

    [Fact]
    public async Task A_credential_variable_is_read_from_the_environment_and_an_unset_one_is_an_error()
    {
        _server.Serve(File, _content);
        var variable = "DKN_TEST_PASSWORD_" + Guid.NewGuid().ToString("N").Substring(0, 8).ToUpperInvariant();
        var url = "http://alice:${" + variable + "}@127.0.0.1:" + _server.Port + "/" + File;

        var unset = await Fails(new WeightsDownloader(FastHttp()), Unhashed(url));
        Assert.Equal(ErrorCodes.CredentialVariableUnset, unset.Code);
        Assert.Contains(variable, unset.Message);
        Assert.Equal(0, _server.TotalRequests);

        Environment.SetEnvironmentVariable(variable, "fr0m-env");
        try
        {
            await new WeightsDownloader(FastHttp()).DownloadAsync(Unhashed(url), Destination);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("alice:fr0m-env")), _server.Requests[0].Authorization);
    }

    [Fact]
    public async Task Progress_is_reported_every_ten_percent()
    {
        _server.Serve(File, _content);
        _server.DropAfter(File, 1_500_000);
        var reports = new List<DownloadProgress>();
        var options = Fast();

        await new WeightsDownloader(options, new RecordingLog(progress: reports.Add)).DownloadAsync(Pinned(), Destination);

        Assert.Equal(new[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 }, reports.Select(r => r.Percent));
        Assert.Equal(_content.Length, reports.Last().BytesReceived);
    }

    [Fact]
    public async Task Mirror_replaces_the_catalog_urls()
    {
        _server.Serve("private/" + File, _content);
        var options = Fast();
        options.Mirror = _server.BaseUrl + "private";
        var request = Pinned("https://upstream.invalid/" + File);

        Assert.Equal(new[] { _server.BaseUrl + "private/" + File }, WeightsDownloader.CandidateUrls(request, options.Mirror));
        await new WeightsDownloader(options).DownloadAsync(request, Destination);

        Assert.Equal(1, _server.TotalRequests);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
    }
}
