using System;
using System.Collections.Generic;
using System.Net;

namespace Darknet.Cache.Download
{
    /// <summary>
    /// HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY (either case) as an IWebProxy.
    /// Modern .NET reads these itself; .NET Framework (Visual Studio's MSBuild) only knows the system proxy,
    /// so there this proxy is used when any variable is set. <c>EnvironmentProxy.FromEnvironment()</c> returns null when none is.
    /// </summary>
    public sealed class EnvironmentProxy : IWebProxy
    {
        private readonly Uri? _http;
        private readonly Uri? _https;
        private readonly string[] _noProxy;

        public EnvironmentProxy(string? httpProxy, string? httpsProxy, string? noProxy)
        {
            _http = ParseProxy(httpProxy);
            _https = ParseProxy(httpsProxy) ?? _http;
            _noProxy = (noProxy ?? "").Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries);
        }

        public ICredentials? Credentials { get; set; }

        public static EnvironmentProxy? FromEnvironment()
        {
            var all = Variable("ALL_PROXY");
            var http = Variable("HTTP_PROXY") ?? all;
            var https = Variable("HTTPS_PROXY") ?? all;
            if (http == null && https == null) return null;
            return new EnvironmentProxy(http, https, Variable("NO_PROXY"));
        }

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

        private static Uri? ParseProxy(string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            var text = value!.Trim();
            if (!text.Contains("://")) text = "http://" + text;
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
        }

        private static string? Variable(string name)
        {
            var value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrWhiteSpace(value)) value = Environment.GetEnvironmentVariable(name.ToLowerInvariant());
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }
    }
}
