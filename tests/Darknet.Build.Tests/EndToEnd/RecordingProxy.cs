using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>One request a <see cref="RecordingProxy"/> got: its absolute URL and the headers that carry credentials.</summary>
public sealed record ProxiedRequest(string Method, string Url, string? ProxyAuthorization, string? Authorization, int Status);

/// <summary>
/// A loopback HTTP forward proxy (plain http only, one request per connection) that records every request and sends
/// it on to <c>upstream</c> whatever host its URL names, so a build can use a host name that does not resolve (a
/// loopback destination would bypass the proxy). With <c>requiredProxyAuthorization</c> it answers 407 (Basic) to a
/// request without exactly that Proxy-Authorization, as a corporate proxy does.
/// </summary>
public sealed class RecordingProxy : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Uri _upstream;
    private readonly string? _requiredProxyAuthorization;
    private readonly List<ProxiedRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _client = new(new HttpClientHandler { UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None });
    private readonly Task _accepting;

    public RecordingProxy(Uri upstream, string? requiredProxyAuthorization = null)
    {
        _upstream = upstream;
        _requiredProxyAuthorization = requiredProxyAuthorization;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public IReadOnlyList<ProxiedRequest> Requests
    {
        get
        {
            lock (_requests) return _requests.ToList();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient connection;
            try
            {
                connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(TcpClient connection)
    {
        using (connection)
        {
            try
            {
                var stream = connection.GetStream();
                var head = await ReadHeadAsync(stream);
                if (head == null) return;
                var lines = head.Split("\r\n");
                var parts = lines[0].Split(' ');
                var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
                    .Select(l => (Name: l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), Value: l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
                    .ToList();
                string? Header(string name) => headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
                var proxyAuthorization = Header("Proxy-Authorization");
                if (_requiredProxyAuthorization != null && proxyAuthorization != _requiredProxyAuthorization)
                {
                    Record(parts, proxyAuthorization, Header("Authorization"), 407);
                    await WriteAsync(stream, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }
                var target = new Uri(parts[1]);
                using var request = new HttpRequestMessage(new HttpMethod(parts[0]), new Uri(_upstream, target.PathAndQuery));
                foreach (var (name, value) in headers)
                    if (!name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) && !name.Equals("Host", StringComparison.OrdinalIgnoreCase) &&
                        !name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                        request.Headers.TryAddWithoutValidation(name, value);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                Record(parts, proxyAuthorization, Header("Authorization"), (int)response.StatusCode);
                var reply = new StringBuilder();
                reply.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}\r\n");
                foreach (var header in response.Headers.Concat(response.Content.Headers))
                    if (!header.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                        reply.Append(CultureInfo.InvariantCulture, $"{header.Key}: {string.Join(", ", header.Value)}\r\n");
                reply.Append("Connection: close\r\n\r\n");
                await WriteAsync(stream, reply.ToString());
                await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
                await body.CopyToAsync(stream, _stop.Token);
            }
            catch (Exception)
            {
                // A client that went away, or the proxy stopping: the connection just ends.
            }
        }
    }

    private void Record(string[] requestLine, string? proxyAuthorization, string? authorization, int status)
    {
        lock (_requests) _requests.Add(new ProxiedRequest(requestLine[0], requestLine.Length > 1 ? requestLine[1] : "", proxyAuthorization, authorization, status));
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 65536)
        {
            if (await stream.ReadAsync(one) == 0) return null;
            bytes.Add(one[0]);
            var n = bytes.Count;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n')
                return Encoding.ASCII.GetString(bytes.ToArray(), 0, n - 4);
        }
        return null;
    }

    private static Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _client.Dispose();
        _stop.Dispose();
    }
}
