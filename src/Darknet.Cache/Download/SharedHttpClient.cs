using System;
using System.Net;
using System.Net.Http;
using System.Threading;

namespace Darknet.Cache.Download
{
    /// <summary>
    /// The one HttpClient of the process (HttpClient is meant to be shared: one per download would exhaust sockets).
    /// No total timeout (downloads use a stall timeout), no automatic decompression (sizes and Range offsets are of the
    /// bytes on the wire), no automatic redirects (HttpGet follows them), proxies from the system and from HTTP(S)_PROXY/NO_PROXY.
    /// </summary>
    internal static class SharedHttpClient
    {
        private static readonly Lazy<HttpClient> Client = new Lazy<HttpClient>(Create, LazyThreadSafetyMode.ExecutionAndPublication);

        public static HttpClient Instance => Client.Value;

        private static HttpClient Create()
        {
            var handler = new HttpClientHandler
            {
                AutomaticDecompression = DecompressionMethods.None,
                // Redirects are followed by HttpGet: it decides where the credentials go and refuses https -> http.
                AllowAutoRedirect = false,
                UseProxy = true,
            };
#if NETFRAMEWORK
            // .NET Framework ignores the proxy environment variables that every other tool honours.
            var fromEnvironment = EnvironmentProxy.FromEnvironment();
            if (fromEnvironment != null) handler.Proxy = fromEnvironment;
#endif
            var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            var version = typeof(SharedHttpClient).Assembly.GetName().Version;
            client.DefaultRequestHeaders.UserAgent.ParseAdd("Darknet.Build/" + (version != null ? version.ToString(3) : "0"));
            return client;
        }
    }
}
