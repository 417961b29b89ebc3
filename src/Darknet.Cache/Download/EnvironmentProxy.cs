using System;
using System.Collections.Generic;
using System.Net;

namespace Darknet.Cache.Download;

/// <summary>
/// HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY (either case) as an IWebProxy.
/// Used whenever any variable is set (see <see cref="ProxyConfiguration"/>: .NET's own reading of them is once per process). <c>EnvironmentProxy.FromEnvironment()</c> returns null when none is.
/// </summary>
public sealed class EnvironmentProxy : IWebProxy
{
    private readonly Uri? _http;
    private readonly Uri? _https;
    private readonly string[] _noProxy;

    public EnvironmentProxy(string? httpProxy, string? httpsProxy, string? noProxy)
    {
        // The user:password of a proxy URL goes in Credentials (ProxyConfiguration), not in the address handed to the handler.
        _http = WithoutUserInfo(ParseProxy(httpProxy));
        _https = WithoutUserInfo(ParseProxy(httpsProxy)) ?? _http;
        _noProxy = (noProxy ?? "").Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries);
    }

    public ICredentials? Credentials { get; set; }

    public static EnvironmentProxy? FromEnvironment() => (EnvironmentProxy?)ProxyConfiguration.FromEnvironment().CreateProxy();

    public Uri GetProxy(Uri destination)
    {
        var proxy = destination.Scheme == Uri.UriSchemeHttps ? _https : _http;
        return proxy == null || IsBypassed(destination) ? destination : proxy;
    }

    public bool IsBypassed(Uri host)
    {
        if ((host.Scheme == Uri.UriSchemeHttps ? _https : _http) == null) return true;
        if (host.IsLoopback) return true;
        foreach (var entry in _noProxy)
        {
            if (entry == "*") return true;
            var pattern = entry.TrimStart('*').TrimStart('.');
            var colon = pattern.LastIndexOf(':');
            if (colon > 0 && pattern.IndexOf(']') < colon) pattern = pattern.Substring(0, colon);
            if (pattern.Length == 0) continue;
            if (string.Equals(host.Host, pattern, StringComparison.OrdinalIgnoreCase)) return true;
            if (host.Host.EndsWith("." + pattern, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static Uri? WithoutUserInfo(Uri? uri) =>
        uri == null || uri.UserInfo.Length == 0 ? uri : new UriBuilder(uri) { UserName = "", Password = "" }.Uri;

    internal static Uri? ParseProxy(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value!.Trim();
        if (!text.Contains("://")) text = "http://" + text;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
    }
}
