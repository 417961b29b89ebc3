using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Darknet.Build.Cache;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Build.Download
{
    /// <summary>
    /// Downloads one weights file to a given path and verifies it, trying each candidate URL in order.
    /// <code>
    /// var downloader = new WeightsDownloader(new DownloadOptions { Mirror = ..., AllowHttp = ..., Progress = p => log(p) });
    /// FileHashes hashes = await downloader.DownloadAsync(request, destinationPath, ct);   // fits MachineCache.GetWeights
    /// IReadOnlyList&lt;string&gt; urls = WeightsDownloader.CandidateUrls(request, mirror);
    /// </code>
    /// Per URL: GET, resume with Range after a broken connection or stall, retry with exponential backoff on 408, 429,
    /// 5xx and network errors (Retry-After honoured up to MaxRetryAfter); 4xx others, an HTML page (Content-Type or a body
    /// starting with '&lt;'), a wrong size (announced or actual) or a wrong hash move on to the next URL at once.
    /// http:// is refused unless SHA-256 is pinned or AllowHttp. When every URL fails: DarknetException DKN4008 listing each
    /// URL and why (with a single URL, that URL's own coded error). Cancellation throws OperationCanceledException and
    /// deletes the destination file. The destination should be a temp path: it holds partial data while downloading.
    /// </summary>
    public sealed class WeightsDownloader
    {
        private const int BufferSize = 1 << 16;
        private readonly DownloadOptions _options;

        public WeightsDownloader(DownloadOptions? options = null)
        {
            _options = options ?? new DownloadOptions();
        }

        public DownloadOptions Options => _options;

        public static IReadOnlyList<string> CandidateUrls(WeightsRequest request, string? mirror)
        {
            if (string.IsNullOrWhiteSpace(mirror)) return request.Urls;
            var baseUrl = mirror!.Trim();
            if (!baseUrl.EndsWith("/", StringComparison.Ordinal)) baseUrl += "/";
            return new[] { baseUrl + Uri.EscapeDataString(request.FileName) };
        }

        public async Task<FileHashes> DownloadAsync(WeightsRequest request, string destinationPath, CancellationToken cancellationToken = default)
        {
            var urls = CandidateUrls(request, _options.Mirror);
            if (urls.Count == 0)
                throw new DarknetException(BuildErrorCodes.NoUrls, "No URL is known for " + request.FileName + ": give WeightsUrl, WeightsFile or DarknetMirror.");

            var directory = Path.GetDirectoryName(Path.GetFullPath(destinationPath));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            var failures = new List<KeyValuePair<string, DarknetException>>();
            var succeeded = false;
            try
            {
                foreach (var url in urls)
                {
                    try
                    {
                        var hashes = await DownloadFromAsync(request, url, destinationPath, cancellationToken).ConfigureAwait(false);
                        succeeded = true;
                        return hashes;
                    }
                    catch (DarknetException error)
                    {
                        failures.Add(new KeyValuePair<string, DarknetException>(url, error));
                        _options.Log?.Invoke(error.Code + ": " + error.Message);
                        AtomicFile.TryDelete(destinationPath);
                    }
                }
            }
            finally
            {
                if (!succeeded) AtomicFile.TryDelete(destinationPath);
            }

            if (failures.Count == 1) throw failures[0].Value;
            // Each URL once (redacted), then its reason with the URL itself left out of it.
            var message = "Could not download " + request.FileName + " (" + request.Describe() + "): every URL failed:";
            foreach (var failure in failures)
                message += Environment.NewLine + "  " + SafeUrl.Redact(failure.Key) + " -> " + failure.Value.Code + ": " +
                           failure.Value.Message.Replace(failure.Key, "this URL").Replace(SafeUrl.Redact(failure.Key), "this URL");
            throw new DarknetException(BuildErrorCodes.AllUrlsFailed, message);
        }

        private async Task<FileHashes> DownloadFromAsync(WeightsRequest request, string url, string destination, CancellationToken cancellationToken)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new DarknetException(BuildErrorCodes.BadUrl, "'" + url + "' is not an http:// or https:// URL.");
            if (uri.Scheme == Uri.UriSchemeHttp && request.Sha256 == null && !_options.AllowHttp)
                throw new DarknetException(BuildErrorCodes.HttpRefused,
                    "Refused to download " + request.FileName + " over plain http:// from " + url +
                    ": pin its Sha256 or set DarknetAllowHttp=true.");

            AtomicFile.TryDelete(destination);
            var progress = new ProgressState(request, url, _options.Progress);
            var failedAttempts = 0;
            var delay = _options.InitialRetryDelay;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var before = LengthOf(destination);
                RetryableFailure retry;
                try
                {
                    await AttemptAsync(request, uri, destination, progress, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (RetryableFailure failure)
                {
                    retry = failure;
                }

                if (LengthOf(destination) > before)
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
                _options.Log?.Invoke(retry.Error.Code + ": " + retry.Error.Message + "; retrying in " + wait.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + " s");
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            var hashes = FileHashes.Compute(destination, cancellationToken);
            var problem = WeightsVerifier.Check(request, hashes, url);
            if (problem != null) throw problem;
            return hashes;
        }

        /// <summary>One GET. Returns with the whole file at <paramref name="destination"/>; throws RetryableFailure, DarknetException or OperationCanceledException.</summary>
        private async Task AttemptAsync(WeightsRequest request, Uri uri, string destination, ProgressState progress, CancellationToken cancellationToken)
        {
            var url = uri.ToString();
            long offset = LengthOf(destination);
            if (offset > request.Size)
            {
                AtomicFile.TryDelete(destination);
                offset = 0;
            }
            if (offset == request.Size) return;

            using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (var message = new HttpRequestMessage(HttpMethod.Get, uri))
            {
                if (offset > 0) message.Headers.Range = new RangeHeaderValue(offset, null);
                stall.CancelAfter(_options.StallTimeout);
                HttpResponseMessage response;
                try
                {
                    response = await SharedHttpClient.Instance.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (IsTransportFailure(e))
                {
                    throw Classify(e, request, url, offset, stall, cancellationToken);
                }

                using (response)
                // .NET Framework's response streams ignore cancellation tokens: disposing the response unblocks a read.
                using (stall.Token.Register(() => response.Dispose()))
                {
                    var status = (int)response.StatusCode;
                    if (status == 408 || status == 429 || status >= 500)
                        throw new RetryableFailure(StatusError(request, url, response), RetryAfterOf(response));
                    if (status == 416 && offset > 0)
                    {
                        AtomicFile.TryDelete(destination);
                        throw new RetryableFailure(StatusError(request, url, response));
                    }
                    if (status != 200 && status != 206)
                        throw StatusError(request, url, response);

                    var mediaType = response.Content.Headers.ContentType?.MediaType;
                    if (mediaType != null && (mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) ||
                                              mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase)))
                        throw HtmlError(request, url, "Content-Type " + mediaType);

                    var append = false;
                    if (status == 206)
                    {
                        var range = response.Content.Headers.ContentRange;
                        if (range != null && range.Length.HasValue && range.Length.Value != request.Size)
                            throw await AnnouncedSizeErrorAsync(request, url, range.Length.Value, response, stall.Token).ConfigureAwait(false);
                        var from = range?.From ?? -1;
                        if (from != offset)
                        {
                            AtomicFile.TryDelete(destination);
                            throw new RetryableFailure(new DarknetException(BuildErrorCodes.NetworkError,
                                url + " answered a range request for byte " + offset + " with bytes from " + from + "."));
                        }
                        append = offset > 0;
                    }
                    else
                    {
                        // 200 to a range request: the server ignores Range, so start over.
                        var length = response.Content.Headers.ContentLength;
                        if (length.HasValue && length.Value != request.Size)
                            throw await AnnouncedSizeErrorAsync(request, url, length.Value, response, stall.Token).ConfigureAwait(false);
                    }

                    var declared = response.Content.Headers.ContentLength.HasValue || response.Content.Headers.ContentRange?.Length != null;
                    long position = append ? offset : 0;
                    try
                    {
                        using (var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                        using (var file = OpenDestination(destination, append))
                        {
                            var buffer = new byte[BufferSize];
                            var sniff = position == 0;
                            while (true)
                            {
                                stall.CancelAfter(_options.StallTimeout);
                                var read = await body.ReadAsync(buffer, 0, buffer.Length, stall.Token).ConfigureAwait(false);
                                if (read == 0) break;
                                if (sniff)
                                {
                                    var first = FirstNonWhitespace(buffer, read);
                                    if (first == '<') throw HtmlError(request, url, "a body starting with '<'");
                                    sniff = first < 0;
                                }
                                if (position + read > request.Size)
                                    throw new DarknetException(BuildErrorCodes.WrongSize,
                                        url + " sent more than the " + request.Size + " bytes expected for " + request.FileName + "; the file was refused.");
                                WriteDestination(file, buffer, read);
                                position += read;
                                progress.Report(position);
                            }
                        }
                    }
                    catch (Exception e) when (IsTransportFailure(e))
                    {
                        throw Classify(e, request, url, position, stall, cancellationToken);
                    }

                    if (position != request.Size)
                    {
                        if (declared)
                            throw new RetryableFailure(new DarknetException(BuildErrorCodes.NetworkError,
                                "The connection to " + url + " ended after " + position + " of " + request.Size + " bytes."));
                        throw WeightsVerifier.WrongSize(request, position, url);
                    }
                }
            }
        }

        // Disk errors are not network errors: they must not be retried as such, so they leave as DarknetException.
        private static FileStream OpenDestination(string destination, bool append)
        {
            try
            {
                return new FileStream(destination, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw DiskError(destination, e);
            }
        }

        private static void WriteDestination(FileStream file, byte[] buffer, int count)
        {
            try
            {
                file.Write(buffer, 0, count);
            }
            catch (IOException e)
            {
                throw DiskError(file.Name, e);
            }
        }

        private static DarknetException DiskError(string path, Exception e) =>
            new DarknetException(BuildErrorCodes.CacheUnusable, "Cannot write " + path + ": " + e.Message, e);

        private static bool IsTransportFailure(Exception e) =>
            e is IOException || e is HttpRequestException || e is OperationCanceledException || e is ObjectDisposedException;

        private Exception Classify(Exception e, WeightsRequest request, string url, long position, CancellationTokenSource stall, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested) return new OperationCanceledException("Download of " + request.FileName + " cancelled.", e, cancellationToken);
            if (stall.IsCancellationRequested)
                return new RetryableFailure(new DarknetException(BuildErrorCodes.Stalled,
                    url + " sent nothing for " + _options.StallTimeout.TotalSeconds + " s (after " + position + " of " + request.Size + " bytes).", e));
            var detail = e.InnerException != null ? e.Message + " " + e.InnerException.Message : e.Message;
            return new RetryableFailure(new DarknetException(BuildErrorCodes.NetworkError,
                "Network error on " + url + " after " + position + " of " + request.Size + " bytes: " + detail, e));
        }

        private static DarknetException StatusError(WeightsRequest request, string url, HttpResponseMessage response) =>
            new DarknetException(BuildErrorCodes.HttpStatus,
                url + " answered HTTP " + (int)response.StatusCode + " " + response.ReasonPhrase + " for " + request.FileName + ".");

        private static DarknetException HtmlError(WeightsRequest request, string url, string evidence) =>
            new DarknetException(BuildErrorCodes.HtmlPage,
                url + " sent an HTML page instead of the weights file " + request.FileName + " (" + evidence + "); the file was refused.");

        /// <summary>The wrong-size error, or the HTML error when the body's first bytes show it is a web page (the likelier story).</summary>
        private static async Task<DarknetException> AnnouncedSizeErrorAsync(
            WeightsRequest request, string url, long announced, HttpResponseMessage response, CancellationToken cancellationToken)
        {
            try
            {
                using (var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                {
                    var buffer = new byte[512];
                    var read = await body.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                    if (FirstNonWhitespace(buffer, read) == '<') return HtmlError(request, url, "a body starting with '<'");
                }
            }
            catch (Exception e) when (IsTransportFailure(e))
            {
                // Only a better message was at stake.
            }
            return new DarknetException(BuildErrorCodes.WrongSize,
                url + " announced " + announced + " bytes for " + request.FileName + ", but it has exactly " + request.Size +
                " bytes: wrong file or a changed upload. The file was refused.");
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

        private static int FirstNonWhitespace(byte[] buffer, int count)
        {
            for (int i = 0; i < count; i++)
            {
                var b = buffer[i];
                if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != (byte)'\n' && b != 0xEF && b != 0xBB && b != 0xBF) return b;
            }
            return -1;
        }

        private static long LengthOf(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? info.Length : 0;
        }

        /// <summary>Reports every 10% once per URL, including across resumed attempts.</summary>
        private sealed class ProgressState
        {
            private readonly WeightsRequest _request;
            private readonly string _url;
            private readonly Action<DownloadProgress>? _callback;
            private int _nextPercent = 10;

            public ProgressState(WeightsRequest request, string url, Action<DownloadProgress>? callback)
            {
                _request = request;
                _url = url;
                _callback = callback;
            }

            public void Report(long position)
            {
                if (_callback == null) return;
                var percent = (int)(position * 100 / _request.Size);
                if (percent < _nextPercent) return;
                var rounded = percent / 10 * 10;
                _nextPercent = rounded + 10;
                _callback(new DownloadProgress(_request.FileName, _url, position, _request.Size, rounded));
            }
        }
    }
}
