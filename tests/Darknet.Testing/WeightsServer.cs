using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Darknet.Testing;

/// <summary>
/// A loopback HTTP/1.1 file server for download and end-to-end tests, with request counting and injected faults.
/// <code>
/// using var server = new WeightsServer();                      // listening on 127.0.0.1, OS-chosen port
/// server.Serve("yolov3.weights", bytes);                        // or Serve(path, () => stream, length)
/// string url = server.Url("yolov3.weights");                    // "http://127.0.0.1:PORT/yolov3.weights"
/// server.FailNext("yolov3.weights", 2, 503, retryAfterSeconds: 1);
/// server.DropAfter("yolov3.weights", 1_000_000);                // next response closes after 1 MB of body
/// server.StallAfter("yolov3.weights", 1000, TimeSpan.FromSeconds(5));
/// server.SendHtml("yolov3.weights");                            // 200 text/html page (what pjreddie.com sends today)
/// server.SendWrongLength("yolov3.weights", 1234);
/// server.IgnoreRange("yolov3.weights");                         // answer 200 with the whole file to a Range request
/// server.Validators("yolov3.weights", etag: false, lastModified: true); // which validators responses carry (default both)
/// server.IgnoreIfRange("yolov3.weights");                       // honour Range even when If-Range names another version
/// server.ChangeContentAfter("yolov3.weights", 1, otherBytes);   // after the next request, the file is another one
/// server.Redirect("old/yolov3.weights", otherServer.Url("yolov3.weights"));  // 302 with that Location
/// server.Hang("net.cfg");                                       // read the request, never answer
/// server.RequireAuthorization("yolov3.weights", "Bearer t0k"); // 401 (WWW-Authenticate) to a request without exactly that header
/// server.RequestCount("yolov3.weights"); server.TotalRequests; server.RangeHeaders("yolov3.weights");
/// server.Requests (with If-Range and Authorization headers); server.BodyBytesSent("yolov3.weights");
/// </code>
/// Each served content has a version: its strong ETag is "\"v{version}-{length}\"" and its Last-Modified moves one minute
/// per version. An If-Range naming another version makes a Range request answer 200 with the whole current file (RFC 9110),
/// unless IgnoreIfRange.
/// Paths are matched without the leading '/' and without the query. Unknown paths answer 404.
/// Faults apply to the next requests of their path, in the order they were added, each for its count of requests
/// (default 1; SendHtml and SendWrongLength default to every request). Range requests ("bytes=N-" and "bytes=N-M")
/// answer 206 with Content-Range; a start past the end answers 416. Every response closes its connection.
/// Built on TcpListener rather than HttpListener: dropping a connection after exactly K body bytes, or stalling
/// mid-body, needs control of the socket that HttpListener does not give (it buffers and owns the connection).
/// </summary>
public sealed class WeightsServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Fault>> _faults = new(StringComparer.Ordinal);
    private readonly List<ServedRequest> _requests = new();
    private readonly Dictionary<string, int> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (bool ETag, bool LastModified, bool Weak)> _validators = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ignoreIfRange = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int After, Resource Next)> _changes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _bodyBytes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _requiredAuthorization = new(StringComparer.Ordinal);
    private readonly Task _acceptLoop;

    private readonly X509Certificate2? _certificate;

    public WeightsServer() : this(null)
    {
    }

    /// <summary>With a certificate: an https:// server (a client must trust the certificate, see <see cref="SelfSignedCertificate"/>).</summary>
    public WeightsServer(X509Certificate2? certificate)
    {
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>A self-signed certificate for 127.0.0.1, and its PEM (for SSL_CERT_FILE, which .NET on Linux trusts instead of the system store).</summary>
    public static (X509Certificate2 Certificate, string Pem) SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        return (certificate, created.ExportCertificatePem());
    }

    /// <summary>"http://127.0.0.1:PORT/" (with the trailing slash, usable as DarknetMirror).</summary>
    public string BaseUrl => (_certificate == null ? "http" : "https") + "://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + "/";

    public string Url(string path) => BaseUrl + Normalize(path);

    public void Serve(string path, byte[] content, string contentType = "application/octet-stream") =>
        Serve(path, () => new MemoryStream(content, writable: false), content.Length, contentType);

    /// <summary>Serves generated content: <paramref name="open"/> is called once per request and must yield <paramref name="length"/> bytes.</summary>
    public void Serve(string path, Func<Stream> open, long length, string contentType = "application/octet-stream")
    {
        var key = Normalize(path);
        lock (_gate) _resources[key] = NewVersion(key, open, length, contentType);
    }

    /// <summary>Which validators the path's 200 and 206 responses carry (default: a strong ETag and Last-Modified); <paramref name="weakETag"/> sends W/"...".</summary>
    public void Validators(string path, bool etag, bool lastModified, bool weakETag = false)
    {
        lock (_gate) _validators[Normalize(path)] = (etag, lastModified, weakETag);
    }

    /// <summary>Range requests of the path are answered 206 from the current file even when their If-Range names another version.</summary>
    public void IgnoreIfRange(string path)
    {
        lock (_gate) _ignoreIfRange.Add(Normalize(path));
    }

    /// <summary>The next <paramref name="requests"/> requests of the path get the current file; every later one gets <paramref name="content"/> (a new version).</summary>
    public void ChangeContentAfter(string path, int requests, byte[] content)
    {
        var key = Normalize(path);
        lock (_gate) _changes[key] = (requests, new Resource(() => new MemoryStream(content, writable: false), content.Length, "application/octet-stream", 0));
    }

    /// <summary>The next <paramref name="times"/> requests answer <paramref name="status"/> with Location <paramref name="location"/>.</summary>
    public void Redirect(string path, string location, int status = 302, int times = int.MaxValue) =>
        AddFault(path, new Fault(FaultKind.Redirect, times) { Status = status, Location = location });

    /// <summary>Answer 401 with a WWW-Authenticate challenge, before any fault, to every request of the path whose Authorization is not exactly this.</summary>
    public void RequireAuthorization(string path, string authorization)
    {
        lock (_gate) _requiredAuthorization[Normalize(path)] = authorization;
    }

    /// <summary>The next <paramref name="times"/> requests are read and never answered (until the server is disposed).</summary>
    public void Hang(string path, int times = int.MaxValue) =>
        AddFault(path, new Fault(FaultKind.Hang, times));

    /// <summary>The next <paramref name="times"/> Range requests are answered 206 with bytes from <paramref name="by"/> bytes before the start asked for.</summary>
    public void ShiftRange(string path, long by, int times = 1) =>
        AddFault(path, new Fault(FaultKind.ShiftRange, times) { Bytes = by });

    /// <summary>The next <paramref name="times"/> 200 responses carry no Content-Length: the body ends when the connection closes.</summary>
    public void OmitLength(string path, int times = int.MaxValue) =>
        AddFault(path, new Fault(FaultKind.OmitLength, times));

    /// <summary>Body bytes written for the path, all requests together (what a client made the server send).</summary>
    public long BodyBytesSent(string path)
    {
        lock (_gate) return _bodyBytes.TryGetValue(Normalize(path), out var sent) ? sent : 0;
    }

    private Resource NewVersion(string key, Func<Stream> open, long length, string contentType)
    {
        var version = _versions.TryGetValue(key, out var v) ? v + 1 : 1;
        _versions[key] = version;
        return new Resource(open, length, contentType, version);
    }

    /// <summary>The next <paramref name="times"/> requests answer <paramref name="status"/> (e.g. 500, 503, 429, 408, 404).</summary>
    public void FailNext(string path, int times, int status, int? retryAfterSeconds = null) =>
        AddFault(path, new Fault(FaultKind.Status, times) { Status = status, RetryAfterSeconds = retryAfterSeconds });

    /// <summary>The next <paramref name="times"/> responses announce the full length, send <paramref name="bytes"/> body bytes, then close.</summary>
    public void DropAfter(string path, long bytes, int times = 1) =>
        AddFault(path, new Fault(FaultKind.Drop, times) { Bytes = bytes });

    /// <summary>The next <paramref name="times"/> responses send <paramref name="bytes"/> body bytes, then send nothing for <paramref name="stall"/>, then go on.</summary>
    public void StallAfter(string path, long bytes, TimeSpan stall, int times = 1) =>
        AddFault(path, new Fault(FaultKind.Stall, times) { Bytes = bytes, Stall = stall });

    /// <summary>Answer 200 with an HTML page (Content-Type <paramref name="contentType"/>; pass application/octet-stream to test sniffing).</summary>
    public void SendHtml(string path, int times = int.MaxValue, string contentType = "text/html; charset=utf-8") =>
        AddFault(path, new Fault(FaultKind.Html, times) { ContentType = contentType });

    /// <summary>Answer 200 with Content-Length <paramref name="length"/> and that many bytes (the content, cut or padded with zeros).</summary>
    public void SendWrongLength(string path, long length, int times = int.MaxValue) =>
        AddFault(path, new Fault(FaultKind.WrongLength, times) { Bytes = length });

    /// <summary>The next <paramref name="times"/> requests ignore their Range header and answer 200 with the whole file.</summary>
    public void IgnoreRange(string path, int times = int.MaxValue) =>
        AddFault(path, new Fault(FaultKind.IgnoreRange, times));

    public void ClearFaults(string path)
    {
        lock (_gate) _faults.Remove(Normalize(path));
    }

    public int RequestCount(string path)
    {
        var key = Normalize(path);
        lock (_gate) return _requests.Count(r => r.Path == key);
    }

    public int TotalRequests
    {
        get { lock (_gate) return _requests.Count; }
    }

    /// <summary>The Range header of each request of the path, in order (null when absent).</summary>
    public IReadOnlyList<string?> RangeHeaders(string path)
    {
        var key = Normalize(path);
        lock (_gate) return _requests.Where(r => r.Path == key).Select(r => r.Range).ToList();
    }

    public IReadOnlyList<ServedRequest> Requests
    {
        get { lock (_gate) return _requests.ToList(); }
    }

    public void ResetCounters()
    {
        lock (_gate) _requests.Clear();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private static string Normalize(string path)
    {
        var p = path;
        var query = p.IndexOf('?');
        if (query >= 0) p = p.Substring(0, query);
        return Uri.UnescapeDataString(p.TrimStart('/'));
    }

    private void AddFault(string path, Fault fault)
    {
        var key = Normalize(path);
        lock (_gate)
        {
            if (!_faults.TryGetValue(key, out var list)) _faults[key] = list = new List<Fault>();
            list.Add(fault);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                client.NoDelay = true;
                Stream stream = client.GetStream();
                if (_certificate != null)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    await tls.AuthenticateAsServerAsync(_certificate);
                    stream = tls;
                }
                var head = await ReadHeadAsync(stream);
                if (head == null) return;
                await RespondAsync(stream, head);
                await stream.FlushAsync(_stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is OperationCanceledException || e is ObjectDisposedException ||
                                      e is System.Security.Authentication.AuthenticationException)
            {
                // The client went away (or the server stops): nothing to answer.
            }
        }
    }

    private async Task RespondAsync(Stream stream, RequestHead head)
    {
        var path = Normalize(head.Target);
        Resource? resource;
        Fault? fault = null;
        (bool ETag, bool LastModified, bool Weak) validators;
        bool ignoreIfRange;
        bool unauthorized;
        lock (_gate)
        {
            unauthorized = _requiredAuthorization.TryGetValue(path, out var required) && head.Authorization != required;
            if (unauthorized) _requests.Add(new ServedRequest(head.Method, path, head.Range, 401, head.IfRange, head.Authorization));
        }
        if (unauthorized)
        {
            await WriteSimpleAsync(stream, 401, "Unauthorized", "text/plain", "credentials required", null, head.Method == "HEAD",
                "WWW-Authenticate: Bearer realm=\"weights\", Basic realm=\"weights\"");
            return;
        }
        lock (_gate)
        {
            if (_changes.TryGetValue(path, out var change))
            {
                if (change.After <= 0)
                {
                    _resources[path] = NewVersion(path, change.Next.Open, change.Next.Length, change.Next.ContentType);
                    _changes.Remove(path);
                }
                else
                {
                    _changes[path] = (change.After - 1, change.Next);
                }
            }
            _resources.TryGetValue(path, out resource);
            validators = _validators.TryGetValue(path, out var chosen) ? chosen : (true, true, false);
            ignoreIfRange = _ignoreIfRange.Contains(path);
            if (_faults.TryGetValue(path, out var list))
            {
                fault = list.FirstOrDefault(f => f.Remaining > 0);
                if (fault != null) fault.Remaining--;
            }
        }

        void Record(int status)
        {
            lock (_gate) _requests.Add(new ServedRequest(head.Method, path, head.Range, status, head.IfRange, head.Authorization));
        }

        var headOnly = head.Method == "HEAD";
        if (head.Method != "GET" && !headOnly)
        {
            Record(405);
            await WriteSimpleAsync(stream, 405, "Method Not Allowed", "text/plain", "GET only", null, headOnly);
            return;
        }

        if (fault?.Kind == FaultKind.Hang)
        {
            Record(0);
            await Task.Delay(Timeout.Infinite, _stop.Token);
            return;
        }
        if (fault?.Kind == FaultKind.Redirect)
        {
            Record(fault.Status);
            await WriteSimpleAsync(stream, fault.Status, "Redirect", "text/plain", "", null, headOnly, "Location: " + fault.Location);
            return;
        }
        if (fault?.Kind == FaultKind.Status)
        {
            Record(fault.Status);
            await WriteSimpleAsync(stream, fault.Status, ReasonOf(fault.Status), "text/plain", "injected failure " + fault.Status,
                fault.RetryAfterSeconds, headOnly);
            return;
        }
        if (fault?.Kind == FaultKind.Html)
        {
            Record(200);
            await WriteSimpleAsync(stream, 200, "OK", fault.ContentType!,
                "<!DOCTYPE html>\n<html><head><title>Moved</title></head><body><p>This file has moved.</p></body></html>\n", null, headOnly);
            return;
        }
        if (resource == null)
        {
            Record(404);
            await WriteSimpleAsync(stream, 404, "Not Found", "text/plain", "not found: " + path, null, headOnly);
            return;
        }

        if (fault?.Kind == FaultKind.WrongLength)
        {
            Record(200);
            await WriteHeadersAsync(stream, 200, "OK", resource.ContentType, fault.Bytes, null);
            if (!headOnly) await WriteBodyAsync(stream, path, resource, 0, fault.Bytes, null);
            return;
        }

        var etag = "\"v" + resource.Version.ToString(CultureInfo.InvariantCulture) + "-" + resource.Length.ToString(CultureInfo.InvariantCulture) + "\"";
        var lastModified = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(resource.Version).ToString("r", CultureInfo.InvariantCulture);
        var validatorHeaders = new List<string>();
        if (validators.ETag) validatorHeaders.Add("ETag: " + (validators.Weak ? "W/" : "") + etag);
        if (validators.LastModified) validatorHeaders.Add("Last-Modified: " + lastModified);
        // If-Range: only a strong ETag or the exact date of the current version lets the Range apply.
        var ifRangeMatches = head.IfRange == null || ignoreIfRange ||
                             (validators.ETag && !validators.Weak && head.IfRange == etag) ||
                             (validators.LastModified && head.IfRange == lastModified);

        long start = 0, end = resource.Length - 1;
        var partial = false;
        if (head.Range != null && ifRangeMatches && fault?.Kind != FaultKind.IgnoreRange && TryParseRange(head.Range, out var from, out var to))
        {
            if (from >= resource.Length)
            {
                Record(416);
                await WriteSimpleAsync(stream, 416, "Range Not Satisfiable", "text/plain", "", null, headOnly,
                    "Content-Range: bytes */" + resource.Length.ToString(CultureInfo.InvariantCulture));
                return;
            }
            start = fault?.Kind == FaultKind.ShiftRange ? Math.Max(0, from - fault.Bytes) : from;
            end = to.HasValue ? Math.Min(to.Value, resource.Length - 1) : resource.Length - 1;
            partial = true;
        }

        var count = end - start + 1;
        Record(partial ? 206 : 200);
        var contentRange = partial
            ? "Content-Range: bytes " + start.ToString(CultureInfo.InvariantCulture) + "-" + end.ToString(CultureInfo.InvariantCulture) + "/" +
              resource.Length.ToString(CultureInfo.InvariantCulture)
            : null;
        if (contentRange != null) validatorHeaders.Insert(0, contentRange);
        await WriteHeadersAsync(stream, partial ? 206 : 200, partial ? "Partial Content" : "OK", resource.ContentType,
            fault?.Kind == FaultKind.OmitLength && !partial ? null : count,
            validatorHeaders.Count == 0 ? null : string.Join("\r\n", validatorHeaders));
        if (!headOnly) await WriteBodyAsync(stream, path, resource, start, count, fault);
    }

    private async Task WriteBodyAsync(Stream stream, string path, Resource resource, long start, long count, Fault? fault)
    {
        using var source = resource.Open();
        if (start > 0)
        {
            if (source.CanSeek)
            {
                source.Seek(start, SeekOrigin.Begin);
            }
            else
            {
                var skip = new byte[1 << 16];
                var left = start;
                while (left > 0)
                {
                    var n = source.Read(skip, 0, (int)Math.Min(skip.Length, left));
                    if (n <= 0) break;
                    left -= n;
                }
            }
        }

        var buffer = new byte[1 << 16];
        long sent = 0;
        var stalled = false;
        while (sent < count)
        {
            var chunk = (int)Math.Min(buffer.Length, count - sent);
            if (fault != null && (fault.Kind == FaultKind.Drop || fault.Kind == FaultKind.Stall) && sent < fault.Bytes)
                chunk = (int)Math.Min(chunk, fault.Bytes - sent);
            if (fault?.Kind == FaultKind.Drop && sent >= fault.Bytes)
            {
                await stream.FlushAsync(_stop.Token);
                return; // HandleAsync closes the connection: the client sees a body shorter than Content-Length.
            }
            if (fault?.Kind == FaultKind.Stall && sent >= fault.Bytes && !stalled)
            {
                stalled = true;
                await stream.FlushAsync(_stop.Token);
                await Task.Delay(fault.Stall, _stop.Token);
            }

            var read = ReadFully(source, buffer, chunk);
            if (read < chunk) Array.Clear(buffer, read, chunk - read); // padding for SendWrongLength
            await stream.WriteAsync(buffer.AsMemory(0, chunk), _stop.Token);
            sent += chunk;
            lock (_gate) _bodyBytes[path] = (_bodyBytes.TryGetValue(path, out var total) ? total : 0) + chunk;
        }
    }

    private static int ReadFully(Stream source, byte[] buffer, int count)
    {
        var total = 0;
        while (total < count)
        {
            var n = source.Read(buffer, total, count - total);
            if (n <= 0) break;
            total += n;
        }
        return total;
    }

    private async Task WriteSimpleAsync(Stream stream, int status, string reason, string contentType, string body, int? retryAfterSeconds,
        bool headOnly, string? extraHeader = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var extra = extraHeader;
        if (retryAfterSeconds.HasValue)
            extra = (extra == null ? "" : extra + "\r\n") + "Retry-After: " + retryAfterSeconds.Value.ToString(CultureInfo.InvariantCulture);
        await WriteHeadersAsync(stream, status, reason, contentType, bytes.Length, extra);
        if (!headOnly) await stream.WriteAsync(bytes, _stop.Token);
    }

    private async Task WriteHeadersAsync(Stream stream, int status, string reason, string contentType, long? length, string? extraHeaders)
    {
        var text = new StringBuilder();
        text.Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(reason).Append("\r\n");
        text.Append("Content-Type: ").Append(contentType).Append("\r\n");
        if (length.HasValue) text.Append("Content-Length: ").Append(length.Value.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        text.Append("Accept-Ranges: bytes\r\n");
        text.Append("Connection: close\r\n");
        if (extraHeaders != null) text.Append(extraHeaders).Append("\r\n");
        text.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()), _stop.Token);
    }

    private async Task<RequestHead?> ReadHeadAsync(Stream stream)
    {
        var bytes = new List<byte>(1024);
        var one = new byte[1];
        while (true)
        {
            var n = await stream.ReadAsync(one.AsMemory(0, 1), _stop.Token);
            if (n == 0) return null;
            bytes.Add(one[0]);
            var c = bytes.Count;
            if (c >= 4 && bytes[c - 4] == '\r' && bytes[c - 3] == '\n' && bytes[c - 2] == '\r' && bytes[c - 1] == '\n') break;
            if (c > 64 * 1024) return null;
        }
        var lines = Encoding.ASCII.GetString(bytes.ToArray()).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length < 2) return null;
        string? range = null, ifRange = null, authorization = null;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line.Substring(0, colon).Trim();
            var value = line.Substring(colon + 1).Trim();
            if (name.Equals("Range", StringComparison.OrdinalIgnoreCase)) range = value;
            else if (name.Equals("If-Range", StringComparison.OrdinalIgnoreCase)) ifRange = value;
            else if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) authorization = value;
        }
        var target = requestLine[1];
        // An absolute-form target (a proxy's). Not "/path?query", which .NET on Unix reads as a file URI and escapes its '?'.
        if (!target.StartsWith('/') && Uri.TryCreate(target, UriKind.Absolute, out var absolute)) target = absolute.PathAndQuery;
        return new RequestHead(requestLine[0].ToUpperInvariant(), target, range, ifRange, authorization);
    }

    private static bool TryParseRange(string header, out long from, out long? to)
    {
        from = 0;
        to = null;
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',')) return false;
        var spec = header.Substring(6).Trim();
        var dash = spec.IndexOf('-');
        if (dash <= 0) return false; // suffix ranges ("bytes=-N") are not needed here
        if (!long.TryParse(spec.Substring(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out from)) return false;
        var last = spec.Substring(dash + 1);
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var end) || end < from) return false;
            to = end;
        }
        return true;
    }

    private static string ReasonOf(int status) => status switch
    {
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Injected",
    };

    private sealed record RequestHead(string Method, string Target, string? Range, string? IfRange, string? Authorization);

    private sealed record Resource(Func<Stream> Open, long Length, string ContentType, int Version);

    private enum FaultKind { Status, Drop, Stall, Html, WrongLength, IgnoreRange, Redirect, Hang, OmitLength, ShiftRange }

    private sealed class Fault
    {
        public Fault(FaultKind kind, int times)
        {
            Kind = kind;
            Remaining = times;
        }

        public FaultKind Kind { get; }
        public int Remaining { get; set; }
        public int Status { get; init; }
        public int? RetryAfterSeconds { get; init; }
        public long Bytes { get; init; }
        public TimeSpan Stall { get; init; }
        public string? ContentType { get; init; }
        public string? Location { get; init; }
    }
}

/// <summary>One request the server answered: method, path (no leading '/'), Range header, status sent (0: never answered), If-Range and Authorization headers.</summary>
public sealed record ServedRequest(string Method, string Path, string? Range, int Status, string? IfRange = null, string? Authorization = null);
