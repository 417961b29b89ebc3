using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Cache.Download;

/// <summary>A host name that does not resolve is reported once, not retried as if a connection had dropped.</summary>
public sealed class UnresolvableHostTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_name_that_does_not_resolve_fails_at_once_with_its_reason_once()
    {
        var log = new List<string>();
        var downloader = new WeightsDownloader(WeightsDownloaderTests.FastHttp(), new RecordingLog(log.Add));
        // .invalid never resolves (RFC 6761).
        var request = new WeightsRequest("net.weights", 1000, new[] { "http://no-such-host.invalid/net.weights" });

        var error = await Assert.ThrowsAsync<DarknetException>(() => downloader.DownloadAsync(request, _temp.Combine("download.part")));

        Assert.Equal(ErrorCodes.NetworkError, error.Code);
        Assert.Contains("does not resolve", error.Message);
        Assert.DoesNotContain("gave up after", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Single(log);
    }

    [Fact]
    public async Task Every_url_failing_is_one_line_that_names_each_url_whole()
    {
        var downloader = new WeightsDownloader(WeightsDownloaderTests.FastHttp());
        var urls = new[] { "http://no-such-host.invalid/a/net.weights", "http://other-host.invalid/b/net.weights" };
        var request = new WeightsRequest("net.weights", 1000, urls);

        var error = await Assert.ThrowsAsync<DarknetException>(() => downloader.DownloadAsync(request, _temp.Combine("download.part")));

        Assert.Equal(ErrorCodes.AllUrlsFailed, error.Code);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("(1) " + urls[0] + " -> DKN4011", error.Message);
        Assert.Contains("(2) " + urls[1] + " -> DKN4011", error.Message);
    }
}
