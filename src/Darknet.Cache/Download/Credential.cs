using System.Net.Http.Headers;

namespace Darknet.Cache.Download;

/// <summary>An Authorization header and, for messages, where it came from (never the secret).</summary>
internal sealed class Credential
{
    public Credential(AuthenticationHeaderValue header, string source)
    {
        Header = header;
        Source = source;
    }

    public AuthenticationHeaderValue Header { get; }
    public string Source { get; }

    public override string ToString() => Source;
}
