using Darknet.Cache;
using Darknet.Cache.Download;

namespace Darknet.Build.Tests.Infrastructure;

/// <summary>An <see cref="IDarknetLog"/> that hands what it hears to the test: message texts, warning texts, progress reports.</summary>
internal sealed class RecordingLog : IDarknetLog
{
    private readonly Action<string>? _messages;
    private readonly Action<DownloadProgress>? _progress;
    private readonly Action<string>? _warnings;

    public RecordingLog(Action<string>? messages = null, Action<DownloadProgress>? progress = null, Action<string>? warnings = null)
    {
        _messages = messages;
        _progress = progress;
        _warnings = warnings;
    }

    public void Message(LogLevel level, string text) => _messages?.Invoke(text);

    public void Warning(string code, string text) => _warnings?.Invoke(text);

    public void Progress(DownloadProgress progress) => _progress?.Invoke(progress);
}
