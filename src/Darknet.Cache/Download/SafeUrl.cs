using System;
using System.Text.RegularExpressions;

namespace Darknet.Cache.Download;

/// <summary>
/// A URL as it may be shown, logged, stamped or used as a cache key: without the <c>user:password@</c> part.
/// <c>SafeUrl.Redact(url)</c> replaces the credentials with <c>***@</c> (so a reader sees that some were given);
/// <c>SafeUrl.WithoutCredentials(url)</c> drops them (the identity of the source, for keys).
/// Text that is not an absolute URL is returned unchanged.
/// </summary>
public static class SafeUrl
{
    public static string Redact(string url) => Rewrite(url, "***@");

    public static string WithoutCredentials(string url) => Rewrite(url, "");

    /// <summary>
    /// Any text (a list of URLs, an exception's message) with every <c>scheme://user:password@</c> turned into
    /// <c>scheme://***@</c>: the last guard on what a log line or an error may show.
    /// </summary>
    public static string RedactText(string text) => text == null ? text! : UserInfo.Replace(text, "$1***@");

    private static readonly Regex UserInfo = new Regex(@"([A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@'""<>;?#]+@", RegexOptions.CultureInvariant);

    /// <summary>An absolute http:// or https:// URL (anything else is a path, or not a source).</summary>
    public static bool IsHttp(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public static bool HasCredentials(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0;

    private static string Rewrite(string url, string replacement)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0) return url;
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var at = schemeEnd < 0 ? -1 : url.IndexOf('@', schemeEnd + 3);
        var pathStart = schemeEnd < 0 ? -1 : url.IndexOfAny(new[] { '/', '?', '#' }, schemeEnd + 3);
        if (at < 0 || (pathStart >= 0 && at > pathStart))
            return uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);
        return url.Substring(0, schemeEnd + 3) + replacement + url.Substring(at + 1);
    }
}
