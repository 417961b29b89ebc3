using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Darknet.Build.Tests.Infrastructure;

/// <summary>One request a <see cref="RecordingProxy"/> received: the absolute URL and the two authorization headers.</summary>
public sealed record ProxiedRequest(string Url, string? ProxyAuthorization, string? Authorization, int Status);

/// <summary>
/// A loopback HTTP forward proxy that answers every "GET http://…/{file}" itself with the file's bytes (so the origin
/// host needs not exist), after a 407 when it requires Basic credentials and the request has not the right ones, and
/// records each request's headers.
/// <code>
/// using var proxy = new RecordingProxy("yolov3-tiny.weights", bytes, requiredBasic: "alice:secret");
/// env["HTTP_PROXY"] = proxy.Url("alice:secret");   ... proxy.Requests
/// </code>
/// </summary>
public sealed class RecordingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _file;
    private readonly byte[] _content;
    private readonly string? _required;
    private readonly List<ProxiedRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();

    public RecordingProxy(string file, byte[] content, string? requiredBasic = null)
    {
        _file = file;
        _content = content;
        _required = requiredBasic == null ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(requiredBasic));
        _listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url(string? userInfo = null) => "http://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + Port;

    public IReadOnlyList<ProxiedRequest> Requests
    {
        get { lock (_requests) return _requests.ToList(); }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (true)
                {
                    var head = await ReadHead(stream);
                    if (head == null) return;
                    var lines = head.Split("\r\n");
                    var url = lines[0].Split(' ')[1];
                    string? Header(string name) => lines.Skip(1)
                        .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
                        .Select(l => l.Substring(name.Length + 1).Trim()).FirstOrDefault();
                    var proxyAuthorization = Header("Proxy-Authorization");
                    int status;
                    byte[] body;
                    string extra = "";
                    if (_required != null && proxyAuthorization != _required)
                    {
                        status = 407;
                        body = Array.Empty<byte>();
                        extra = "Proxy-Authenticate: Basic realm=\"fleet\"\r\n";
                    }
                    else if (url.EndsWith("/" + _file, StringComparison.Ordinal))
                    {
                        status = 200;
                        body = _content;
                    }
                    else
                    {
                        status = 404;
                        body = Array.Empty<byte>();
                    }
                    lock (_requests) _requests.Add(new ProxiedRequest(url, proxyAuthorization, Header("Authorization"), status));
                    var reason = status == 200 ? "OK" : status == 407 ? "Proxy Authentication Required" : "Not Found";
                    var response = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\n{extra}Content-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\n\r\n");
                    await stream.WriteAsync(response);
                    await stream.WriteAsync(body);
                }
            }
            catch (Exception)
            {
                // The client went away (a cancelled or finished download).
            }
        }
    }

    private static async Task<string?> ReadHead(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0) return null;
            bytes.Add(one[0]);
            var n = bytes.Count;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n')
                return Encoding.ASCII.GetString(bytes.ToArray(), 0, n - 4);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
