using Darknet.Build.Tasks;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Cache;
using Darknet.Cache.Download;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Tasks;

/// <summary>
/// What a build says about one download, by the level each message was said at: a retry is a detail said at once, a URL
/// given up for the next one is said at normal verbosity after the download, the download itself at high importance.
/// </summary>
public sealed class DownloadReportTests : IDisposable
{
    private const string File = "net.weights";
    private readonly byte[] _content = SeededBytes.Create(300_000, seed: 5);
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private sealed class LevelLog : IDarknetLog
    {
        public List<(LogLevel Level, string Text)> Messages { get; } = new();

        public void Message(LogLevel level, string text) => Messages.Add((level, text));

        public void Warning(string code, string text) => Messages.Add((LogLevel.High, "warning " + code + ": " + text));

        public void Progress(DownloadProgress progress)
        {
        }
    }

    [Fact]
    public async Task A_retry_is_a_detail_at_once_and_a_url_given_up_is_said_after_the_download()
    {
        _server.Serve("b/" + File, _content);
        _server.FailNext("b/" + File, 1, 503);
        var urls = new[] { _server.Url("a/" + File), _server.Url("b/" + File) };   // a/ answers 404
        var request = new WeightsRequest(File, _content.Length, urls, sha256: SeededBytes.Sha256(_content));
        var log = new LevelLog();
        var settings = new AcquireSettings(log) { AllowHttp = true };
        var report = new DownloadReport(request, urls, settings);
        var downloader = new WeightsDownloader(settings.DownloadOptions(null), report);

        await report.DownloadAsync(downloader, request, _temp.Combine(File + ".dkn-partial"), CancellationToken.None);

        var retry = log.Messages.FindIndex(m => m.Text.Contains("retrying in"));
        var givenUp = log.Messages.FindIndex(m => m.Text.StartsWith("Darknet: Before that, ", StringComparison.Ordinal));
        var downloaded = log.Messages.FindIndex(m => m.Text.StartsWith("Darknet: Downloaded " + File, StringComparison.Ordinal));
        Assert.True(retry >= 0 && givenUp >= 0 && downloaded >= 0, string.Join("\n", log.Messages));
        Assert.Equal(LogLevel.Detail, log.Messages[retry].Level);
        Assert.StartsWith("Darknet: DKN", log.Messages[retry].Text);
        Assert.Equal(LogLevel.Normal, log.Messages[givenUp].Level);
        Assert.Contains("404", log.Messages[givenUp].Text);
        Assert.True(retry < givenUp && givenUp < downloaded, string.Join("\n", log.Messages));
        Assert.Equal(LogLevel.High, log.Messages[downloaded].Level);
        Assert.Equal(LogLevel.High, log.Messages[0].Level);
        Assert.StartsWith("Darknet: Downloading " + File, log.Messages[0].Text);
    }
}
