using System;
using System.IO;
using System.Threading;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.Layout;

namespace Darknet.Cli;

/// <summary>
/// The <c>--cfg FILE|URL</c> of <c>darknet convert</c> and <c>darknet inspect</c>: read the way a build reads its
/// Config (<see cref="ConfigSource"/>), so a URL is fetched once into the machine cache (<c>--cache DIR</c>, else the
/// build's location rules) and read from there afterwards.
/// </summary>
internal static class CfgArgument
{
    public static NetworkLayout Load(string cfg, string? cacheDirectory, bool allowHttp, CancellationToken cancellationToken)
    {
        var url = ConfigSource.IsUrl(cfg);
        if (!url && !File.Exists(cfg)) throw new DarknetException(ErrorCodes.CfgNotFound, $"cfg file not found: {cfg}");
        var cache = new MachineCache(cacheDirectory != null ? Path.GetFullPath(cacheDirectory) : CacheLocation.Resolve());
        try
        {
            return new ConfigSource(cache, new DownloadOptions { AllowHttp = allowHttp }, offline: false, SilentLog.Instance)
                .Load(cfg, url ? SafeUrl.Redact(cfg) : Path.GetFileName(cfg), cancellationToken).Layout;
        }
        catch (UnauthorizedAccessException e) when (!url)
        {
            throw new DarknetException(ErrorCodes.CfgNotFound, $"cannot read cfg file {cfg}: permission denied", e);
        }
    }
}
