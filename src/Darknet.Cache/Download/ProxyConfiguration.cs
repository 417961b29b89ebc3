using System;
using System.Net;

namespace Darknet.Cache.Download;

/// <summary>
/// One build's HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY (either case), read when the build's task runs. .NET reads
/// these variables once per process (HttpClient.DefaultProxy), which in a reused MSBuild node would be the first build's
/// proxy and password for every later build; so the proxy is built here from the build's own values, and
/// <see cref="HttpClientPool"/> shares a client only between requests whose configuration (<see cref="Key"/>) is the same.
/// </summary>
internal sealed class ProxyConfiguration
{
    private readonly string? _http;
    private readonly string? _https;
    private readonly string? _noProxy;

    public ProxyConfiguration(string? http, string? https, string? noProxy)
    {
        _http = Clean(http);
        _https = Clean(https);
        _noProxy = Clean(noProxy);
    }

    /// <summary>The current values of this process's environment (the running build's, in an MSBuild node).</summary>
    public static ProxyConfiguration FromEnvironment() => From(Environment.GetEnvironmentVariable);

    public static ProxyConfiguration From(Func<string, string?> variable)
    {
        string? Read(string name)
        {
            var value = variable(name);
            if (string.IsNullOrWhiteSpace(value)) value = variable(name.ToLowerInvariant());
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }
        var all = Read("ALL_PROXY");
        return new ProxyConfiguration(Read("HTTP_PROXY") ?? all, Read("HTTPS_PROXY") ?? all, Read("NO_PROXY"));
    }

    public bool IsNone => _http == null && _https == null;

    /// <summary>Everything that decides where a request goes and which proxy credentials it carries (so, secrets: never log it).</summary>
    public string Key => (_http ?? "") + "\n" + (_https ?? "") + "\n" + (_noProxy ?? "");

    /// <summary>The proxy, with the credentials written in its URL (user:password@host), or null when no variable is set.</summary>
    public IWebProxy? CreateProxy()
    {
        if (IsNone) return null;
        var proxy = new EnvironmentProxy(_http, _https, _noProxy);
        proxy.Credentials = new UrlCredentials(EnvironmentProxy.ParseProxy(_http), EnvironmentProxy.ParseProxy(_https));
        return proxy;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    /// <summary>The user:password of the proxy URL the handler asks about (HTTP_PROXY's and HTTPS_PROXY's may differ).</summary>
    private sealed class UrlCredentials : ICredentials
    {
        private readonly Uri? _http;
        private readonly Uri? _https;

        public UrlCredentials(Uri? http, Uri? https)
        {
            _http = http;
            _https = https;
        }

        public NetworkCredential? GetCredential(Uri uri, string authType)
        {
            foreach (var proxy in new[] { _https, _http })
            {
                if (proxy == null || string.IsNullOrEmpty(proxy.UserInfo)) continue;
                if (!string.Equals(proxy.IdnHost, uri.IdnHost, StringComparison.OrdinalIgnoreCase) || proxy.Port != uri.Port) continue;
                var info = proxy.UserInfo;
                var colon = info.IndexOf(':');
                var user = Uri.UnescapeDataString(colon < 0 ? info : info.Substring(0, colon));
                var password = colon < 0 ? "" : Uri.UnescapeDataString(info.Substring(colon + 1));
                return new NetworkCredential(user, password);
            }
            return null;
        }
    }
}
