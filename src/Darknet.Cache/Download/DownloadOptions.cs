using System;

namespace Darknet.Cache.Download;

/// <summary>
/// Settings of a <see cref="WeightsDownloader"/>. Defaults suit real builds; tests shrink the delays. What a download
/// says (retries, progress) goes to the log given to the downloader, not to these settings.
/// </summary>
public sealed class DownloadOptions
{
    /// <summary>$(DarknetMirror): a base URL that replaces the catalog's hosts (mirror + file name). Null: use the request's URLs.</summary>
    public string? Mirror { get; set; }

    /// <summary>
    /// Decides each request's Authorization (URL credentials, DARKNET_MIRROR_TOKEN for the mirror's origin, .netrc).
    /// Null: from this process's environment, with <see cref="Mirror"/> as the mirror.
    /// </summary>
    internal RequestCredentials? Credentials { get; set; }

    /// <summary>The proxy variables of the build this download is for. Null: this process's environment when the downloader is made.</summary>
    internal ProxyConfiguration? Proxy { get; set; }

    /// <summary>$(DarknetAllowHttp): accept plain http:// even when no SHA-256 is pinned.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Attempts per URL without progress before moving on (an attempt that received bytes does not count).</summary>
    public int MaxAttemptsPerUrl { get; set; } = 4;

    /// <summary>First retry delay; doubles each retry up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>A Retry-After longer than this is not waited for: the URL counts as failed.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>No byte (or no response headers) for this long: abort the attempt, retry and resume.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
