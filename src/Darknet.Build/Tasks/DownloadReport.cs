using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights.IO;

namespace Darknet.Build.Tasks;

/// <summary>
/// What a build says about one download (at high importance: the console logger at its default verbosity, Visual
/// Studio's output window and <c>dotnet build -tl:off</c> show it live):
/// <code>
/// Darknet: downloading yolov3.weights (248.0 MB) from https://host/yolov3.weights into /home/me/.cache/darknet-build/weights/sha256-…
/// Darknet: yolov3.weights  10% (24.8 of 248.0 MB, 31.2 MB/s)
/// Darknet: downloaded yolov3.weights (248.0 MB) in 8.1 s (30.6 MB/s)
/// </code>
/// A URL that failed before another one worked is said once, after the download (when every URL fails, the error
/// lists them: nothing is said twice); retries are details (detailed verbosity). It is the downloader's log: a
/// normal-level message from it (a URL given up) waits for the end of the download, the rest go on to the run's log.
/// </summary>
internal sealed class DownloadReport : IDarknetLog
{
    private readonly WeightsRequest _request;
    private readonly IReadOnlyList<string> _urls;
    private readonly AcquireSettings _settings;
    private readonly List<string> _failedUrls = new List<string>();
    private readonly Stopwatch _clock = new Stopwatch();
    private long _startBytes;

    public DownloadReport(WeightsRequest request, IReadOnlyList<string> urls, AcquireSettings settings)
    {
        _request = request;
        _urls = urls;
        _settings = settings;
    }

    /// <summary>Runs <paramref name="downloader"/> into the entry's partial, saying what, how big, from where and into which cache.</summary>
    public async Task<FileHashes> DownloadAsync(WeightsDownloader downloader, WeightsRequest request, string partialPath, CancellationToken cancellationToken)
    {
        var resumed = File.Exists(partialPath) ? new FileInfo(partialPath).Length : 0;
        var more = _urls.Count > 1 ? " (or " + (_urls.Count - 1) + " fallback URL" + (_urls.Count > 2 ? "s" : "") + ")" : "";
        _settings.Log.Message(LogLevel.High, "Darknet: Downloading " + _request.FileName + " (" + Megabytes.Format(_request.Size) + ") from " +
                      (_urls.Count > 0 ? SafeUrl.Redact(_urls[0]) : "?") + more + " into " + Path.GetDirectoryName(partialPath) +
                      (resumed > 0 && resumed < _request.Size ? ", resuming after " + Megabytes.Format(resumed) : ""));
        _startBytes = resumed;
        _clock.Restart();
        var hashes = await downloader.DownloadAsync(request, partialPath, cancellationToken).ConfigureAwait(false);
        _clock.Stop();
        foreach (var failure in _failedUrls) _settings.Log.Message(LogLevel.Normal, "Darknet: Before that, " + failure);
        // The time includes hashing the whole file: the rate of the transfer itself is on the progress lines.
        _settings.Log.Message(LogLevel.High, "Darknet: Downloaded " + _request.FileName + " (" + Megabytes.Format(_request.Size) + ") and verified it in " +
                      _clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s");
        return hashes;
    }

    public void Progress(DownloadProgress progress)
    {
        if (progress.Percent >= 100) return;   // the "downloaded" line follows
        var from = _urls.Count > 0 && progress.Url != _urls[0] ? " from " + SafeUrl.Redact(progress.Url) : "";
        _settings.Log.Message(LogLevel.High, "Darknet: " + progress.FileName + " " + progress.Percent.ToString(CultureInfo.InvariantCulture).PadLeft(3) + "% (" +
                      (progress.BytesReceived / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " of " + Megabytes.Format(progress.TotalBytes) + ", " +
                      Megabytes.Rate(progress.BytesReceived - _startBytes, _clock.Elapsed.TotalSeconds) + ")" + from);
    }

    /// <summary>A retry is a detail, said now; a URL given up for the next one (normal) is said after the download.</summary>
    public void Message(LogLevel level, string text)
    {
        foreach (var url in _urls) text = text.Replace(url, SafeUrl.Redact(url));
        if (level == LogLevel.Normal) _failedUrls.Add(text);
        else _settings.Log.Message(level, "Darknet: " + text);
    }

    public void Warning(string code, string text) => _settings.Log.Warning(code, text);
}
