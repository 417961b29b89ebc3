using System.Diagnostics;
using Darknet.Build.Cache;
using Darknet.Build.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Xunit;

namespace Darknet.Build.Tests.Download;

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
    };

    private WeightsRequest Pinned(params string[] urls) =>
        new(File, _content.Length, urls.Length > 0 ? urls : new[] { _server.Url(File) }, sha256: SeededBytes.Sha256(_content));

    private async Task<DarknetException> Fails(WeightsDownloader downloader, WeightsRequest request)
    {
        var error = await Assert.ThrowsAsync<DarknetException>(() => downloader.DownloadAsync(request, Destination));
        Assert.False(System.IO.File.Exists(Destination), "a failed download leaves no file");
        return error;
    }

    [Fact]
    public async Task Downloads_and_verifies_a_pinned_file()
    {
        _server.Serve(File, _content);
        var hashes = await new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(SeededBytes.Sha256(_content), hashes.Sha256);
        Assert.Equal(SeededBytes.Sha1(_content), hashes.Sha1);
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
        options.Log = log.Add;
        var clock = Stopwatch.StartNew();

        await new WeightsDownloader(options).DownloadAsync(Pinned(), Destination);

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

        Assert.Equal(BuildErrorCodes.HttpStatus, error.Code);
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
        options.Log = log.Add;

        await new WeightsDownloader(options).DownloadAsync(Pinned(_server.Url("upstream/" + File), _server.Url("mirror/" + File)), Destination);

        Assert.Equal(_content, System.IO.File.ReadAllBytes(Destination));
        Assert.Equal(1, _server.RequestCount("upstream/" + File));
        Assert.Contains(log, line => line.StartsWith(BuildErrorCodes.HtmlPage) && line.Contains("HTML page"));
    }

    [Fact]
    public async Task Html_page_without_an_html_content_type_is_sniffed()
    {
        _server.SendHtml(File, contentType: "application/octet-stream");

        var error = await Fails(new WeightsDownloader(Fast()), Pinned());

        Assert.Equal(BuildErrorCodes.HtmlPage, error.Code);
        Assert.Contains("sent an HTML page instead of the weights file", error.Message);
        Assert.Equal(1, _server.RequestCount(File));
    }

    [Fact]
    public async Task Wrong_announced_size_is_refused()
    {
        _server.Serve(File, _content);
        _server.SendWrongLength(File, _content.Length - 100);

        var error = await Fails(new WeightsDownloader(Fast()), Pinned());

        Assert.Equal(BuildErrorCodes.WrongSize, error.Code);
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

        Assert.Equal(BuildErrorCodes.HttpRefused, error.Code);
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

        Assert.Equal(BuildErrorCodes.HashMismatch, error.Code);
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

        Assert.Equal(BuildErrorCodes.HashMismatch, error.Code);
        Assert.Contains("SHA-1", error.Message);
    }

    [Fact]
    public async Task All_failing_urls_are_listed_in_one_error()
    {
        _server.SendHtml("a/" + File);
        var request = Pinned(_server.Url("a/" + File), _server.Url("b/" + File));

        var error = await Fails(new WeightsDownloader(Fast()), request);

        Assert.Equal(BuildErrorCodes.AllUrlsFailed, error.Code);
        Assert.Contains(_server.Url("a/" + File) + " -> " + BuildErrorCodes.HtmlPage, error.Message);
        Assert.Contains(_server.Url("b/" + File) + " -> " + BuildErrorCodes.HttpStatus, error.Message);
        Assert.Contains("404", error.Message);
    }

    [Fact]
    public async Task Cancellation_stops_promptly_and_leaves_no_file()
    {
        _server.Serve(File, _content);
        _server.StallAfter(File, 200_000, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new WeightsDownloader(Fast()).DownloadAsync(Pinned(), Destination, cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "took " + clock.Elapsed);
        Assert.False(System.IO.File.Exists(Destination));
    }

    [Fact]
    public async Task Progress_is_reported_every_ten_percent()
    {
        _server.Serve(File, _content);
        _server.DropAfter(File, 1_500_000);
        var reports = new List<DownloadProgress>();
        var options = Fast();
        options.Progress = reports.Add;

        await new WeightsDownloader(options).DownloadAsync(Pinned(), Destination);

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
