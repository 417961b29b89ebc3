using Darknet.Cache.Download;

namespace Darknet.Cache;

/// <summary>The log of a caller that listens to nothing.</summary>
internal sealed class SilentLog : IDarknetLog
{
    public static readonly SilentLog Instance = new SilentLog();

    private SilentLog()
    {
    }

    public void Message(LogLevel level, string text)
    {
    }

    public void Warning(string code, string text)
    {
    }

    public void Progress(DownloadProgress progress)
    {
    }
}
