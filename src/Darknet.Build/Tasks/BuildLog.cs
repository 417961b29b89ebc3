using Darknet.Cache;
using Darknet.Cache.Download;
using Microsoft.Build.Framework;

namespace Darknet.Build.Tasks;

/// <summary>
/// One acquire run's <see cref="IDarknetLog"/>, passed to everything it calls: levels become MSBuild importances,
/// warnings point at the project that declared the items (as the errors do, not at our .targets). Progress is the
/// business of a download's <see cref="DownloadReport"/>, which formats it.
/// </summary>
internal sealed class BuildLog : IDarknetLog
{
    private readonly AcquireLog _log;
    private readonly string? _project;

    public BuildLog(AcquireLog log, string? declaringProject)
    {
        _log = log;
        _project = declaringProject;
    }

    public void Message(LogLevel level, string text) =>
        _log.Message(level == LogLevel.High ? MessageImportance.High : level == LogLevel.Normal ? MessageImportance.Normal : MessageImportance.Low, text);

    public void Warning(string code, string text) => _log.Warning(code, _project, text);

    public void Progress(DownloadProgress progress)
    {
    }
}
