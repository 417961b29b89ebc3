using Darknet.Cache.Download;

namespace Darknet.Cache;

/// <summary>
/// The one log the cache, the downloader and the build's acquire step say things to, passed in by whoever runs them
/// (as SourceLink's tasks pass a TaskLoggingHelper): a build maps it to MSBuild importances and warnings, the CLI to
/// stdout and stderr. The sayer picks the level; no one reads a message's text to guess it.
/// </summary>
internal interface IDarknetLog
{
    void Message(LogLevel level, string text);

    /// <summary>A warning with its DKN code (a hand-placed file that failed verification and was moved aside).</summary>
    void Warning(string code, string text);

    /// <summary>A download's progress: about every 10% and at 100%.</summary>
    void Progress(DownloadProgress progress);
}
