using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Darknet.Cache;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Cache.Download;

/// <summary>
/// Downloads one weights file to a given path and verifies it, trying each candidate URL in order.
/// <code>
/// var downloader = new WeightsDownloader(new DownloadOptions { Mirror = ..., AllowHttp = ... }, log);   // progress, retries (detail), a URL given up (normal)
/// FileHashes hashes = await downloader.DownloadAsync(request, destinationPath, ct);   // fits MachineCache.GetWeights
/// IReadOnlyList&lt;string&gt; urls = WeightsDownloader.CandidateUrls(request, mirror);
/// </code>
/// Per URL (through <see cref="HttpGet"/>: redirects, credentials, stall timeout, retries): GET, resume with Range
/// after a broken connection or stall; 4xx, an HTML page (Content-Type or a body starting with '&lt;'), a wrong size
/// (announced or actual) or a wrong hash move on to the next URL at once. http:// is refused unless SHA-256 is pinned
/// or AllowHttp. When every URL fails: DarknetException DKN4008 listing each URL and why (with a single URL, that
/// URL's own coded error). URLs appear in messages without their credentials.
/// <para>
/// The destination is a partial file that outlives this call (see <see cref="PartialDownload"/>): its metadata
/// "&lt;destination&gt;.json" records the URL (without credentials), the validator (strong ETag, else Last-Modified) and
/// the size. A resumed request carries If-Range with that validator; a 200 instead of a 206, a 206 with another
/// validator, or a Content-Range that does not continue the file starts again from byte 0. Without a validator, bytes
/// are resumed only when a hash (pinned SHA-256 or catalog SHA-1) will check the result, and a resumed file that fails
/// its check is downloaded once more from byte 0. Cancellation (OperationCanceledException), network failures and
/// stalls leave the partial and its metadata for the next run; bytes known to be bad (wrong size or hash, an HTML
/// page, a changed file) are deleted. On success the metadata is deleted and the caller publishes the file.
/// </para>
/// </summary>
public sealed class WeightsDownloader
{
    private const int BufferSize = 1 << 16;
    private readonly DownloadOptions _options;
    private readonly IDarknetLog _log;
    private readonly HttpGet _http;

    public WeightsDownloader(DownloadOptions? options = null) : this(options, SilentLog.Instance)
    {
    }

    internal WeightsDownloader(DownloadOptions? options, IDarknetLog log)
    {
        _options = options ?? new DownloadOptions();
        _log = log;
        _http = new HttpGet(_options, log);
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
            throw new DarknetException(ErrorCodes.NoUrls, "No URL is known for " + request.FileName + ": give WeightsUrl, WeightsFile or DarknetMirror.");

        var directory = Path.GetDirectoryName(Path.GetFullPath(destinationPath));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var failures = new List<KeyValuePair<string, DarknetException>>();
        foreach (var url in urls)
        {
            try
            {
                return await DownloadFromAsync(request, url, destinationPath, cancellationToken).ConfigureAwait(false);
            }
            catch (DarknetException error)
            {
                failures.Add(new KeyValuePair<string, DarknetException>(SafeUrl.Redact(url), error));
                _log.Message(LogLevel.Normal, error.Code + ": " + error.Message);
            }
        }

        if (failures.Count == 1) throw failures[0].Value;
        // Each URL once (redacted), then its reason with the URL itself left out of it.
        // One line: the terminal logger hard-wraps a multi-line message inside its URLs and paths.
        var message = "Could not download " + request.FileName + " (" + request.Describe() + "): every URL failed:";
        for (var i = 0; i < failures.Count; i++)
        {
            var failure = failures[i];
            message += (i == 0 ? " " : "; ") + "(" + (i + 1) + ") " + SafeUrl.Redact(failure.Key) + " -> " + failure.Value.Code + ": " +
                       failure.Value.Message.Replace(failure.Key, "this URL").Replace(SafeUrl.Redact(failure.Key), "this URL").TrimEnd('.');
        }
        message += ".";
        throw new DarknetException(ErrorCodes.AllUrlsFailed, message);
    }

    private async Task<FileHashes> DownloadFromAsync(WeightsRequest request, string url, string destination, CancellationToken cancellationToken)
    {
        var source = SourceUrl.Parse(url, _options.Credentials?.Variable);
        if (source.Target.Scheme == Uri.UriSchemeHttp && request.AcceptedSha256.Count == 0 && !_options.AllowHttp)
            throw new DarknetException(ErrorCodes.HttpRefused,
                "Refused to download " + request.FileName + " over plain http:// from " + source.Display +
                ": pin its Sha256 or set DarknetAllowHttp=true.");

        var hashWillCheck = request.AcceptedSha256.Count > 0 || request.Sha1 != null;
        var partial = PartialDownload.Open(destination, source.Identity, request.Size, hashWillCheck, WeightsVerifier.ChecksSha1(request));
        var progress = new ProgressState(request, source.Display, _log);
        var fromZeroAgain = false;
        try
        {
            while (true)
            {
                await _http.RetryAsync(() => AttemptAsync(request, source, partial, progress, cancellationToken), () => partial.Length, cancellationToken)
                    .ConfigureAwait(false);

                // Hashed while it was written (see PartialDownload): no second pass over the file.
                var hashes = partial.Hashes(cancellationToken);
                var problem = WeightsVerifier.Check(request, hashes, source.Display);
                if (problem == null)
                {
                    partial.Complete();
                    return hashes;
                }
                // A file put together from several responses may mix two versions that no validator told apart: once more from byte 0.
                if (partial.Assembled && !fromZeroAgain)
                {
                    fromZeroAgain = true;
                    _log.Message(LogLevel.Normal, problem.Code + ": " + problem.Message + " It was resumed; downloading it once more from the start.");
                    partial.Reset();
                    continue;
                }
                throw problem;
            }
        }
        catch (DarknetException e) when (e.Code == ErrorCodes.HashMismatch || e.Code == ErrorCodes.WrongSize || e.Code == ErrorCodes.HtmlPage)
        {
            partial.Delete();
            throw;
        }
    }

    /// <summary>One GET. Returns with the whole file at the partial's path; throws RetryableFailure, DarknetException or OperationCanceledException.</summary>
    private async Task AttemptAsync(WeightsRequest request, SourceUrl source, PartialDownload partial, ProgressState progress, CancellationToken cancellationToken)
    {
        if (partial.Length > 0 && !partial.Resumable) partial.Reset();
        long offset = partial.Length;
        if (offset > request.Size)
        {
            partial.Reset();
            offset = 0;
        }
        if (offset == request.Size) return;
        var validator = partial.Validator;

        using (var response = await _http.SendAsync(source, request.FileName, message =>
               {
                   if (offset == 0) return;
                   message.Headers.Range = new RangeHeaderValue(offset, null);
                   message.Headers.IfRange = partial.IfRange();
               }, cancellationToken).ConfigureAwait(false))
        {
            var status = response.Status;
            if (status == 416)
            {
                partial.Reset();
                throw new RetryableFailure(new DarknetException(ErrorCodes.HttpStatus,
                    source.Display + " answered HTTP 416 to a request for bytes from " + offset + " of " + request.FileName + "; starting again from byte 0."));
            }

            var html = HttpGet.HtmlContentType(response.Message);
            if (html != null) throw HtmlError(request, source, "Content-Type " + html);

            var append = false;
            if (status == 206)
            {
                var range = response.Message.Content.Headers.ContentRange;
                if (range != null && range.Length.HasValue && range.Length.Value != request.Size)
                    throw await AnnouncedSizeErrorAsync(request, source, range.Length.Value, response).ConfigureAwait(false);
                var from = range?.From ?? -1;
                if (offset == 0 || from != offset)
                {
                    partial.Reset();
                    throw new RetryableFailure(new DarknetException(ErrorCodes.NetworkError,
                        source.Display + " answered a request for byte " + offset + " with bytes from " + from + "; starting again from byte 0."));
                }
                var now = PartialDownload.ValidatorOf(response.Message);
                if (validator != null && now != validator)
                {
                    partial.Reset();
                    throw new RetryableFailure(new DarknetException(ErrorCodes.NetworkError,
                        request.FileName + " changed on " + source.Display + " since the first part was downloaded (validator " + validator +
                        ", now " + (now ?? "none") + "); starting again from byte 0."));
                }
                partial.Continue(cancellationToken);
                append = true;
            }
            else
            {
                // A 200: a first request, a server that ignores Range, or an If-Range that no longer matches (a new version).
                var length = response.Message.Content.Headers.ContentLength;
                if (length.HasValue && length.Value != request.Size)
                    throw await AnnouncedSizeErrorAsync(request, source, length.Value, response).ConfigureAwait(false);
                WriteMetadata(partial, PartialDownload.ValidatorOf(response.Message));
            }

            var declared = response.Message.Content.Headers.ContentLength.HasValue || response.Message.Content.Headers.ContentRange?.Length != null;
            long position = append ? offset : 0;
            using (var file = OpenDestination(partial.Path, append))
            {
                var buffer = new byte[BufferSize];
                var sniff = position == 0;
                while (true)
                {
                    var read = await response.ReadAsync(buffer, "after " + position + " of " + request.Size + " bytes").ConfigureAwait(false);
                    if (read == 0) break;
                    if (sniff)
                    {
                        var first = HttpGet.FirstNonWhitespace(buffer, read);
                        if (first == '<') throw HtmlError(request, source, "a body starting with '<'");
                        sniff = first < 0;
                    }
                    if (position + read > request.Size)
                        throw new DarknetException(ErrorCodes.WrongSize,
                            source.Display + " sent more than the " + request.Size + " bytes expected for " + request.FileName + "; the file was refused.");
                    WriteDestination(file, buffer, read);
                    partial.Appended(buffer, read);
                    position += read;
                    progress.Report(position);
                }
            }

            if (position != request.Size)
            {
                if (declared)
                    throw new RetryableFailure(new DarknetException(ErrorCodes.NetworkError,
                        "The connection to " + source.Display + " ended after " + position + " of " + request.Size + " bytes."));
                throw WeightsVerifier.WrongSize(request, position, source.Display);
            }
        }
    }

    private static void WriteMetadata(PartialDownload partial, string? validator)
    {
        try
        {
            partial.StartOver(validator);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            throw DiskError(partial.MetadataPath, e);
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
        new DarknetException(ErrorCodes.CacheUnusable, "Cannot write " + path + ": " + e.Message, e);

    private static DarknetException HtmlError(WeightsRequest request, SourceUrl source, string evidence) =>
        new DarknetException(ErrorCodes.HtmlPage,
            source.Display + " sent an HTML page instead of the weights file " + request.FileName + " (" + evidence + "); the file was refused.");

    /// <summary>The wrong-size error, or the HTML error when the body's first bytes show it is a web page (the likelier story).</summary>
    private static async Task<DarknetException> AnnouncedSizeErrorAsync(WeightsRequest request, SourceUrl source, long announced, HttpGet.Response response)
    {
        if (await response.LooksLikeHtmlAsync().ConfigureAwait(false)) return HtmlError(request, source, "a body starting with '<'");
        return new DarknetException(ErrorCodes.WrongSize,
            source.Display + " announced " + announced + " bytes for " + request.FileName + ", but it has exactly " + request.Size +
            " bytes: wrong file or a changed upload. The file was refused.");
    }

    /// <summary>Reports every 10% once per URL, including across resumed attempts.</summary>
    private sealed class ProgressState
    {
        private readonly WeightsRequest _request;
        private readonly string _url;
        private readonly IDarknetLog _log;
        private int _nextPercent = 10;

        public ProgressState(WeightsRequest request, string url, IDarknetLog log)
        {
            _request = request;
            _url = url;
            _log = log;
        }

        public void Report(long position)
        {
            var percent = (int)(position * 100 / _request.Size);
            if (percent < _nextPercent) return;
            var rounded = percent / 10 * 10;
            _nextPercent = rounded + 10;
            _log.Progress(new DownloadProgress(_request.FileName, _url, position, _request.Size, rounded));
        }
    }
}
