using System;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using Darknet.Weights;

namespace Darknet.Cache.Download;

/// <summary>
/// The one place that decides the Authorization header of a request (each hop of a redirect is decided anew, for its own origin):
/// <list type="number">
/// <item>the URL's own <c>user:password@</c> (<see cref="SourceUrl.Authorization"/>), to the URL's origin only;</item>
/// <item>else <c>Bearer $DARKNET_MIRROR_TOKEN</c> when the request's origin (scheme, host, port) is $(DarknetMirror)'s;</item>
/// <item>else the .netrc entry for the request's host (<c>machine</c>, else <c>default</c>) as Basic credentials, as curl and pip do.</item>
/// </list>
/// So a redirect to another host never carries the URL's credentials or the token; it gets that host's own .netrc entry, if any.
/// What is sent is described by <see cref="Credential.Source"/> (the kind and where it came from, never the secret) for error messages.
/// <code>
/// var credentials = RequestCredentials.FromEnvironment(mirror);        // DARKNET_MIRROR_TOKEN, NETRC or ~/.netrc
/// Credential? c = credentials.For(source, hopUri);  request.Headers.Authorization = c?.Header;
/// </code>
/// </summary>
internal sealed class RequestCredentials
{
    public const string TokenVariable = "DARKNET_MIRROR_TOKEN";

    private readonly Uri? _mirror;
    private readonly string? _token;
    private readonly string? _netrcPath;
    private readonly Lazy<Netrc> _netrc;

    /// <param name="mirror">$(DarknetMirror), or null.</param>
    /// <param name="token">The bearer token for the mirror's origin, or null.</param>
    /// <param name="netrcPath">The .netrc file (read at the first lookup; absent means no entries), or null.</param>
    public RequestCredentials(string? mirror, string? token, string? netrcPath)
    {
        _mirror = !string.IsNullOrWhiteSpace(mirror) && Uri.TryCreate(mirror!.Trim(), UriKind.Absolute, out var uri) ? uri : null;
        _token = string.IsNullOrWhiteSpace(token) ? null : token!.Trim();
        _netrcPath = netrcPath;
        _netrc = new Lazy<Netrc>(() => Netrc.Load(netrcPath), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>DARKNET_MIRROR_TOKEN and the .netrc that NETRC names (else ~/.netrc), from this process's environment.</summary>
    public static RequestCredentials FromEnvironment(string? mirror) => From(mirror, Environment.GetEnvironmentVariable);

    /// <summary>The same from the build's own variables (<paramref name="variable"/>), which also fill a URL's <c>${NAME}</c> credentials.</summary>
    public static RequestCredentials From(string? mirror, Func<string, string?> variable) =>
        new RequestCredentials(mirror, variable(TokenVariable), Netrc.DefaultPath(variable)) { Variable = variable };

    /// <summary>Where a URL's <c>${NAME}</c> credentials are read: the build's variables (by default the process's).</summary>
    public Func<string, string?> Variable { get; private set; } = Environment.GetEnvironmentVariable;

    /// <summary>The credential for a request to <paramref name="request"/> made for <paramref name="source"/>, or null to send none.</summary>
    public Credential? For(SourceUrl source, Uri request)
    {
        if (source.Authorization != null)
        {
            if (source.SameOrigin(request)) return new Credential(source.Authorization, "the credentials in the URL");
        }
        if (_token != null && _mirror != null && SameOrigin(_mirror, request))
        {
            // HttpClient would refuse a line break with an uncoded FormatException; say what is wrong instead (never the value).
            foreach (var c in _token)
                if (c <= ' ' || c > '~')
                    throw new DarknetException(ErrorCodes.BadMirrorToken,
                        TokenVariable + " is not a bearer token: it holds a space, line break or other character outside printable ASCII " +
                        "(a token pasted with its line break, or two lines?). Set it to the token alone.");
            return new Credential(new AuthenticationHeaderValue("Bearer", _token), "the bearer token in " + TokenVariable);
        }
        var entry = _netrc.Value.For(request.IdnHost);
        if (entry != null)
            return new Credential(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(entry.Login + ":" + entry.Password))),
                "the login '" + entry.Login + "' of the " + entry + " entry in " + _netrcPath);
        return null;
    }

    /// <summary>
    /// What the user can do about a 401 or 403 from <paramref name="request"/>: which credential was refused, or where to
    /// put one. Names variables and files, never their values.
    /// </summary>
    public string Hint(Uri request, Credential? sent, int status)
    {
        if (sent != null)
            return status == 401
                ? "It refused " + sent.Source + ": check that it is right and has not expired."
                : "It did not accept " + sent.Source + " for this file: check that the account or token may read it.";
        var host = request.IdnHost;
        var isMirror = _mirror != null && SameOrigin(_mirror, request);
        var netrc = "the .netrc file " + (_netrcPath ?? "~/.netrc") + " (the file NETRC names, else ~/.netrc)";
        var how = isMirror
            ? "Set the environment variable " + TokenVariable + " to a token for the mirror (sent as a bearer token to " +
              request.GetLeftPart(UriPartial.Authority) + " only), or add \"machine " + host + " login NAME password SECRET\" to " + netrc + "."
            : "Add \"machine " + host + " login NAME password SECRET\" to " + netrc +
              ", or write the URL as https://${USER_VARIABLE}:${PASSWORD_VARIABLE}@" + request.Authority + "/... (read from those environment variables)" +
              (_mirror == null ? "" : "; " + TokenVariable + " is sent only to $(DarknetMirror)'s host, " + _mirror.GetLeftPart(UriPartial.Authority)) + ".";
        return "No credentials were sent. " + how;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) &&
        a.Port == b.Port;
}
