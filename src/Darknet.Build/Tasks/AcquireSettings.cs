using System;
using Darknet.Cache.Download;

namespace Darknet.Build.Tasks
{
    /// <summary>The project-wide properties of the acquire step ($(DarknetMirror), $(DarknetOffline), ...) and its logging.</summary>
    internal sealed class AcquireSettings
    {
        public string? Mirror;
        public bool Offline;
        public bool AllowHttp;
        public TimeSpan StallTimeout = TimeSpan.FromSeconds(60);
        /// <summary>Messages the user should see in a normal build (progress, conversion).</summary>
        public Action<string> Log = _ => { };
        /// <summary>Messages for normal verbosity (a cache hit).</summary>
        public Action<string> Normal = _ => { };
        /// <summary>Details for detailed verbosity (each failed attempt before a retry).</summary>
        public Action<string> Detail = _ => { };

        /// <summary>The downloader's options; with a report (a weights download) its progress and notes go to the report, else retries are details.</summary>
        public DownloadOptions DownloadOptions(string? mirror, DownloadReport? report = null) => new DownloadOptions
        {
            Mirror = mirror,
            AllowHttp = AllowHttp,
            Credentials = Credentials,
            Proxy = Proxy,
            StallTimeout = StallTimeout,
            Progress = report != null ? report.Progress : (Action<DownloadProgress>?)null,
            Log = report != null ? report.Note : Detail,
        };

        private RequestCredentials? _credentials;

        /// <summary>DARKNET_MIRROR_TOKEN for $(DarknetMirror)'s origin (also for a WeightsUrl or Config there), and .netrc: read once per task invocation.</summary>
        public RequestCredentials Credentials => _credentials ?? (_credentials = RequestCredentials.FromEnvironment(Mirror));

        /// <summary>
        /// The build's proxy variables, read when the task's settings are made (so on the task's thread, in the build's
        /// environment, also for work that goes on in the background), never kept across builds.
        /// </summary>
        public ProxyConfiguration Proxy { get; } = ProxyConfiguration.FromEnvironment();
    }
}
