using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Darknet.Weights;

namespace Darknet.Cache.Download;

/// <summary>
/// The project's one way to GET a URL, used for weights and for Config URLs:
/// <code>
/// var get = new HttpGet(options, log);   // each retry: a detail
/// await get.RetryAsync(async () => { using (var r = await get.SendAsync(source, what, m => m.Headers.Range = ..., ct)) { ... r.ReadAsync(buffer) ... } }, () => bytesSoFar, ct);
/// </code>
/// Redirects are followed here (at most <see cref="MaxRedirects"/>), not by HttpClient: each hop's Authorization is
/// decided by <see cref="RequestCredentials"/> for that hop's origin (the URL's credentials and DARKNET_MIRROR_TOKEN never
/// follow a redirect to another origin), and https:// never redirects to http:// unless AllowHttp. 401 and 403 are
/// DKN4024, saying which credential was refused or where to put one. Each wait (for headers, for the next body bytes)
/// is bounded by the stall timeout. 408, 429, 5xx,
/// broken connections and stalls throw <see cref="RetryableFailure"/>, which <see cref="RetryAsync"/> retries with
/// exponential backoff (Retry-After honoured up to MaxRetryAfter). Cancellation throws OperationCanceledException.
/// </summary>
internal sealed class HttpGet
{
    public const int MaxRedirects = 10;
    private readonly DownloadOptions _options;
    private readonly IDarknetLog _log;
    private readonly RequestCredentials _credentials;
    private readonly HttpClient _client;

    public HttpGet(DownloadOptions options, IDarknetLog log)
    {
        _options = options;
        _log = log;
        _credentials = options.Credentials ?? RequestCredentials.FromEnvironment(options.Mirror);
        _client = HttpClientPool.For(options.Proxy ?? ProxyConfiguration.FromEnvironment());
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it returns, retrying each RetryableFailure. An attempt after which
    /// <paramref name="progress"/> grew does not count towards MaxAttemptsPerUrl.
    /// </summary>
    public async Task RetryAsync(Func<Task> attempt, Func<long> progress, CancellationToken cancellationToken)
    {
        var failedAttempts = 0;
        var delay = _options.InitialRetryDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = progress();
            RetryableFailure retry;
            try
            {
                await attempt().ConfigureAwait(false);
                return;
            }
            catch (RetryableFailure failure)
            {
                retry = failure;
            }

            if (progress() > before)
            {
                failedAttempts = 0;
                delay = _options.InitialRetryDelay;
            }
            failedAttempts++;
            if (failedAttempts >= _options.MaxAttemptsPerUrl)
                throw new DarknetException(retry.Error.Code, retry.Error.Message + " (gave up after " + failedAttempts + " attempts)");
            var wait = delay;
            if (retry.RetryAfter.HasValue)
            {
                if (retry.RetryAfter.Value > _options.MaxRetryAfter)
                    throw new DarknetException(retry.Error.Code, retry.Error.Message + " (Retry-After " + retry.RetryAfter.Value.TotalSeconds + " s is too long to wait)");
                wait = retry.RetryAfter.Value;
            }
            else
            {
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
            _log.Message(LogLevel.Detail, retry.Error.Code + ": " + retry.Error.Message + "; retrying in " + wait.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + " s");
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One GET of <paramref name="source"/>, redirects followed. Returns a 200 or 206 response (anything else that is
    /// not retryable is DKN4002). <paramref name="prepare"/> adds headers (Range, If-Range) to each request sent;
    /// <paramref name="what"/> names the file in messages.
    /// </summary>
    public async Task<Response> SendAsync(SourceUrl source, string what, Action<HttpRequestMessage>? prepare, CancellationToken cancellationToken)
    {
        var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var uri = source.Target;
            for (var hops = 0; ; hops++)
            {
                HttpResponseMessage message;
                var credential = _credentials.For(source, uri);
                using (var request = new HttpRequestMessage(HttpMethod.Get, uri))
                {
                    request.Headers.Authorization = credential?.Header;
                    prepare?.Invoke(request);
                    stall.CancelAfter(_options.StallTimeout);
                    try
                    {
                        message = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (IsTransportFailure(e))
                    {
                        throw Classify(e, source, "before any response", stall, cancellationToken);
                    }
                }

                var status = (int)message.StatusCode;
                if (!IsRedirect(status))
                {
                    if (status == 200 || status == 206 || status == 416) return new Response(this, source, message, stall, cancellationToken);
                    using (message)
                    {
                        if (status == 401 || status == 403)
                            throw new DarknetException(ErrorCodes.AccessDenied,
                                source.Display + (uri.Authority == source.Target.Authority ? "" : " (redirected to " + uri.GetLeftPart(UriPartial.Authority) + ")") +
                                " answered HTTP " + status + " " + message.ReasonPhrase + " for " + what + ". " + _credentials.Hint(uri, credential, status));
                        var error = new DarknetException(ErrorCodes.HttpStatus,
                            source.Display + " answered HTTP " + status + " " + message.ReasonPhrase + " for " + what + ".");
                        if (status == 408 || status == 429 || status >= 500) throw new RetryableFailure(error, RetryAfterOf(message));
                        throw error;
                    }
                }

                using (message)
                {
                    var location = message.Headers.Location;
                    if (location == null)
                        throw new DarknetException(ErrorCodes.HttpStatus,
                            source.Display + " answered HTTP " + status + " without a Location for " + what + ".");
                    if (hops >= MaxRedirects)
                        throw new DarknetException(ErrorCodes.TooManyRedirects,
                            source.Display + " redirected more than " + MaxRedirects + " times for " + what + "; gave up.");
                    var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                        throw new DarknetException(ErrorCodes.BadUrl,
                            source.Display + " redirected " + what + " to a " + next.Scheme + ": URL, which is not http(s).");
                    if (uri.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp && !_options.AllowHttp)
                        throw new DarknetException(ErrorCodes.RedirectDowngrade,
                            source.Display + " redirected " + what + " from https:// to plain http://" + next.Authority +
                            "; refused (set DarknetAllowHttp=true to allow it).");
                    // The next hop's credentials, if any, are never taken from the Location header.
                    uri = new Uri(SafeUrl.WithoutCredentials(next.AbsoluteUri));
                }
            }
        }
        catch
        {
            stall.Dispose();
            throw;
        }
    }

    private static bool IsRedirect(int status) => status == 301 || status == 302 || status == 303 || status == 307 || status == 308;

    private static bool IsTransportFailure(Exception e) =>
        e is IOException || e is HttpRequestException || e is OperationCanceledException || e is ObjectDisposedException;

    private Exception Classify(Exception e, SourceUrl source, string where, CancellationTokenSource stall, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return new OperationCanceledException("Download from " + source.Display + " cancelled.", e, cancellationToken);
        if (stall.IsCancellationRequested)
            return new RetryableFailure(new DarknetException(ErrorCodes.Stalled,
                source.Display + " sent nothing for " + _options.StallTimeout.TotalSeconds + " s (" + where + ").", e));
        var inner = e.InnerException?.Message;
        var detail = inner != null && !e.Message.Contains(inner) ? e.Message + " " + inner : e.Message;
        if (NameDoesNotResolve(e))
            return new DarknetException(ErrorCodes.NetworkError,
                "The host name of " + source.Display + " does not resolve (" + SafeUrl.Redact(detail) + "); not retried: check the URL, DNS or proxy.", e);
        return new RetryableFailure(new DarknetException(ErrorCodes.NetworkError,
            "Network error on " + source.Display + " (" + where + "): " + SafeUrl.Redact(detail), e));
    }

    /// <summary>A DNS "no such host" (not a transient TryAgain): retrying the same name gives the same answer.</summary>
    private static bool NameDoesNotResolve(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
            if (x is System.Net.Sockets.SocketException socket && socket.SocketErrorCode == System.Net.Sockets.SocketError.HostNotFound) return true;
        return false;
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header == null) return null;
        if (header.Delta.HasValue) return header.Delta.Value;
        if (header.Date.HasValue)
        {
            var wait = header.Date.Value - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>A 200, 206 or 416 response whose body is read with the stall timeout; dispose it when done.</summary>
    internal sealed class Response : IDisposable
    {
        private readonly HttpGet _owner;
        private readonly SourceUrl _source;
        private readonly CancellationTokenSource _stall;
        private readonly CancellationToken _cancellationToken;
        private readonly CancellationTokenRegistration _unblock;
        private Stream? _body;

        public Response(HttpGet owner, SourceUrl source, HttpResponseMessage message, CancellationTokenSource stall, CancellationToken cancellationToken)
        {
            _owner = owner;
            _source = source;
            Message = message;
            _stall = stall;
            _cancellationToken = cancellationToken;
            // .NET Framework's response streams ignore cancellation tokens: disposing the response unblocks a read.
            _unblock = stall.Token.Register(message.Dispose);
        }

        public HttpResponseMessage Message { get; }
        public int Status => (int)Message.StatusCode;
        public long BytesRead { get; private set; }

        /// <summary>Up to buffer.Length body bytes (0 at the end); a stall or broken connection throws RetryableFailure.</summary>
        public async Task<int> ReadAsync(byte[] buffer, string where)
        {
            try
            {
                if (_body == null) _body = await Message.Content.ReadAsStreamAsync().ConfigureAwait(false);
                _stall.CancelAfter(_owner._options.StallTimeout);
                var read = await _body.ReadAsync(buffer, 0, buffer.Length, _stall.Token).ConfigureAwait(false);
                BytesRead += read;
                return read;
            }
            catch (Exception e) when (IsTransportFailure(e))
            {
                throw _owner.Classify(e, _source, where, _stall, _cancellationToken);
            }
        }

        /// <summary>True when the body's first bytes (up to 512) start with '&lt;' once whitespace is skipped: a web page. Only for error messages.</summary>
        public async Task<bool> LooksLikeHtmlAsync()
        {
            try
            {
                var buffer = new byte[512];
                var read = await ReadAsync(buffer, "reading the first bytes").ConfigureAwait(false);
                return FirstNonWhitespace(buffer, read) == '<';
            }
            catch (Exception e) when (e is RetryableFailure || IsTransportFailure(e))
            {
                return false;
            }
        }

        public void Dispose()
        {
            _unblock.Dispose();
            _body?.Dispose();
            Message.Dispose();
            _stall.Dispose();
        }
    }

    /// <summary>The first byte that is not whitespace or a UTF-8 BOM byte, or -1 when there is none among the first <paramref name="count"/>.</summary>
    public static int FirstNonWhitespace(byte[] buffer, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var b = buffer[i];
            if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != (byte)'\n' && b != 0xEF && b != 0xBB && b != 0xBF) return b;
        }
        return -1;
    }

    /// <summary>An HTML page by its Content-Type (text/html, application/xhtml+xml), or null.</summary>
    public static string? HtmlContentType(HttpResponseMessage message)
    {
        var mediaType = message.Content.Headers.ContentType?.MediaType;
        return mediaType != null && (mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) ||
                                     mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase))
            ? mediaType
            : null;
    }
}
