using System;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Darknet.Weights;

namespace Darknet.Cache.Download;

/// <summary>
/// A URL as the user wrote it (WeightsUrl, Config), split into what goes where:
/// <see cref="Target"/> the URL without <c>user:password@</c> (the request line never carries them),
/// <see cref="Display"/> the URL with <c>***@</c> for logs and errors, <see cref="Identity"/> without credentials
/// (keys, partial metadata), and <see cref="Authorization"/>, the Basic header made of the credentials, sent only
/// to <see cref="Target"/>'s origin (<see cref="SameOrigin"/>). HttpClient does not turn userinfo into a header itself.
/// <c>${NAME}</c> inside the credentials is read from the environment variable NAME when the request is made, so a
/// secret can stay out of the project file (MSBuild prints item metadata as written in a -v:diag log).
/// </summary>
internal sealed class SourceUrl
{
    private static readonly Regex Variable = new Regex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant);

    private SourceUrl(Uri target, string display, AuthenticationHeaderValue? authorization)
    {
        Target = target;
        Display = display;
        Authorization = authorization;
    }

    public Uri Target { get; }
    public string Display { get; }
    public string Identity => Target.AbsoluteUri;
    public AuthenticationHeaderValue? Authorization { get; }

    /// <summary>Parses an http(s) URL; DKN4014 when it is not one, DKN4022 when its credentials name an unset variable.</summary>
    /// <param name="variable">Where <c>${NAME}</c> is read (the build's variables); null: this process's environment.</param>
    public static SourceUrl Parse(string url, Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        var display = SafeUrl.Redact(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new DarknetException(ErrorCodes.BadUrl, "'" + display + "' is not an http:// or https:// URL.");
        var target = new Uri(SafeUrl.WithoutCredentials(uri.AbsoluteUri));
        if (uri.UserInfo.Length == 0) return new SourceUrl(target, display, null);

        var colon = uri.UserInfo.IndexOf(':');
        var user = Expand(Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo.Substring(0, colon)), display, variable);
        var password = colon < 0 ? "" : Expand(Uri.UnescapeDataString(uri.UserInfo.Substring(colon + 1)), display, variable);
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));
        return new SourceUrl(target, display, new AuthenticationHeaderValue("Basic", token));
    }

    /// <summary>Same scheme, host and port as <see cref="Target"/>: the only place the credentials may go.</summary>
    public bool SameOrigin(Uri other) =>
        string.Equals(other.Scheme, Target.Scheme, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(other.IdnHost, Target.IdnHost, StringComparison.OrdinalIgnoreCase) &&
        other.Port == Target.Port;

    private static string Expand(string text, string display, Func<string, string?> variable) =>
        Variable.Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            var value = variable(name);
            if (string.IsNullOrEmpty(value))
                throw new DarknetException(ErrorCodes.CredentialVariableUnset,
                    "The credentials of " + display + " name the environment variable " + name + ", which is not set.");
            return value;
        });
}
