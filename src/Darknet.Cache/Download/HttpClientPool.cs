using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Runtime.InteropServices;

namespace Darknet.Cache.Download;

/// <summary>
/// HttpClients of the process, one per <see cref="ProxyConfiguration.Key"/> (HttpClient is meant to be shared: one per
/// download would exhaust sockets; but a client's proxy and proxy credentials are fixed when it is made, so two builds
/// share one only when theirs are the same). Authorization headers are per request (<see cref="RequestCredentials"/>),
/// never on a client. No total timeout (downloads use a stall timeout), no automatic decompression (sizes and Range
/// offsets are of the bytes on the wire), no automatic redirects (HttpGet follows them).
/// </summary>
internal static class HttpClientPool
{
    private static readonly ConcurrentDictionary<string, Lazy<HttpClient>> Clients = new ConcurrentDictionary<string, Lazy<HttpClient>>(StringComparer.Ordinal);

    public static HttpClient For(ProxyConfiguration proxy) =>
        Clients.GetOrAdd(proxy.Key, _ => new Lazy<HttpClient>(() => Create(proxy))).Value;

    private static HttpClient Create(ProxyConfiguration configuration)
    {
        var handler = new HttpClientHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            // Redirects are followed by HttpGet: it decides where the credentials go and refuses https -> http.
            AllowAutoRedirect = false,
        };
        var proxy = configuration.CreateProxy();
        if (proxy != null)
        {
            handler.UseProxy = true;
            handler.Proxy = proxy;
        }
        else
        {
            // No proxy variable: on Windows the system (Internet Options) proxy, as every Windows program uses. Elsewhere none: .NET's default
            // proxy would be the variables of the first build this process ran.
            handler.UseProxy = IsWindows;
        }
        var client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var version = typeof(HttpClientPool).Assembly.GetName().Version;
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Darknet.Build/" + (version != null ? version.ToString(3) : "0"));
        return client;
    }

    private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
}
