using System;
using Darknet.Cache;
using Darknet.Cache.Download;

namespace Darknet.Build.Tasks;

/// <summary>The project-wide properties of the acquire step ($(DarknetMirror), $(DarknetOffline), ...) and its logging.</summary>
internal sealed class AcquireSettings
{
    public string? Mirror;
    public bool Offline;
    public bool AllowHttp;
    public TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    /// <param name="environment">The build's variables (proxy, DARKNET_MIRROR_TOKEN, NETRC, a URL's <c>${NAME}</c>); null: the process's.</param>
    public AcquireSettings(IDarknetLog log, BuildEnvironment? environment = null)
    {
        Log = log;
        _environment = environment ?? BuildEnvironment.OfProcess();
        Proxy = ProxyConfiguration.From(_environment.Variable);
    }

    private readonly BuildEnvironment _environment;

    /// <summary>Where the run says what it does, at the level each message picks.</summary>
    public IDarknetLog Log { get; }

    /// <summary>The downloader's options (its log is given to it: a weights download's <see cref="DownloadReport"/>, else <see cref="Log"/>).</summary>
    public DownloadOptions DownloadOptions(string? mirror) => new DownloadOptions
    {
        Mirror = mirror,
        AllowHttp = AllowHttp,
        Credentials = Credentials,
        Proxy = Proxy,
        StallTimeout = StallTimeout,
    };

    private RequestCredentials? _credentials;

    /// <summary>DARKNET_MIRROR_TOKEN for $(DarknetMirror)'s origin (also for a WeightsUrl or Config there), and .netrc: read once per task invocation.</summary>
    public RequestCredentials Credentials => _credentials ?? (_credentials = RequestCredentials.From(Mirror, _environment.Variable));

    /// <summary>The build's proxy variables (never kept across builds: a reused node or -mt runs other builds' tasks).</summary>
    public ProxyConfiguration Proxy { get; }
}
