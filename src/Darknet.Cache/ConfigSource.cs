using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.Config;
using Darknet.Weights.IO;
using Darknet.Weights.Layout;

namespace Darknet.Cache;

/// <summary>
/// A network's Config, for the build's <c>Config</c> metadata and the CLI's <c>--cfg</c>: a local .cfg file, or a URL
/// fetched with the weights' rules (<see cref="HttpGet"/>: stall timeout, retries, redirects, credentials only to their
/// host) and the cfg rules (at most <see cref="CfgReader.MaxCfgBytes"/>, no binary, no HTML page). A fetched Config is
/// cached only once it parses, keyed by its content: <c>configs/sha256-&lt;hex&gt;/&lt;file&gt;</c>, found again through
/// the index file <c>configs/urls/&lt;hash of the URL without credentials&gt;</c> (so offline builds keep working).
/// A cached file is checked against its key when read; an answer that did not parse is not cached, so it is asked again.
/// <code>
/// var (text, layout) = new ConfigSource(cache, downloadOptions, offline, log).Load(pathOrUrl, sourceName, ct);
/// </code>
/// </summary>
internal sealed class ConfigSource
{
    private const string Area = CacheLayout.ConfigsArea;

    private readonly MachineCache _cache;
    private readonly DownloadOptions _options;
    private readonly bool _offline;
    private readonly IDarknetLog _log;

    /// <param name="options">How to fetch a URL (AllowHttp, credentials, proxy, stall timeout).</param>
    /// <param name="offline">A URL that is not in the cache fails (DKN4006) instead of being fetched.</param>
    /// <param name="log">Hears each retry and a fetched Config that could not be cached (details).</param>
    public ConfigSource(MachineCache cache, DownloadOptions options, bool offline, IDarknetLog log)
    {
        _cache = cache;
        _options = options;
        _offline = offline;
        _log = log;
    }

    public static bool IsUrl(string config) => SafeUrl.IsHttp(config);

    /// <summary>
    /// The Config's text and its network, parsed once, named <paramref name="sourceName"/> in messages (the caller's
    /// choice: a path, a file name, or the URL without its credentials).
    /// </summary>
    public (string Text, NetworkLayout Layout) Load(string config, string sourceName, CancellationToken cancellationToken)
    {
        if (!IsUrl(config))
        {
            var local = CfgReader.ReadText(config);   // a .weights file or /dev/zero is refused before it is read whole
            return (local, NetworkLayout.FromCfg(local, sourceName));
        }

        var source = SourceUrl.Parse(config, _options.Credentials?.Variable);
        var name = Path.GetFileName(source.Target.AbsolutePath);
        if (name.Length == 0) name = "model.cfg";
        var configs = Path.Combine(_cache.Root, Area);
        var index = Path.Combine(configs, CacheLayout.ConfigIndexFolder, UrlKey(source.Identity));
        var cached = ReadCached(index, name, cancellationToken);
        if (cached != null) return (cached, NetworkLayout.FromCfg(cached, sourceName));

        if (_offline)
            throw new DarknetException(ErrorCodes.OfflineMiss,
                $"Offline (DarknetOffline=true) and the Config {source.Display} is not in the machine cache ({configs}): " +
                "build once online, or set Config to a local copy of the file.");
        if (source.Target.Scheme == Uri.UriSchemeHttp && !_options.AllowHttp)
            throw new DarknetException(ErrorCodes.HttpRefused,
                $"Refusing to fetch the Config over plain http ({source.Display}): use https, or set DarknetAllowHttp=true (darknet --allow-http).");

        var bytes = Fetch(source, name, cancellationToken);
        var text = CfgReader.TextOf(bytes, source.Display);
        var layout = NetworkLayout.FromCfg(text, sourceName);   // garbage throws here, before anything is cached

        Store(index, name, bytes, cancellationToken);
        return (text, layout);
    }

    private byte[] Fetch(SourceUrl source, string name, CancellationToken cancellationToken)
    {
        var http = new HttpGet(_options, _log);
        byte[]? result = null;
        long received = 0;
        http.RetryAsync(async () =>
        {
            using (var response = await http.SendAsync(source, "the Config " + name, null, cancellationToken).ConfigureAwait(false))
            {
                if (response.Status != 200)
                    throw new DarknetException(ErrorCodes.HttpStatus,
                        $"Config {source.Display} answered HTTP {response.Status} {response.Message.ReasonPhrase} to a plain GET.");
                var html = HttpGet.HtmlContentType(response.Message);
                if (html != null) throw HtmlError(source, "Content-Type " + html);
                var length = response.Message.Content.Headers.ContentLength;
                if (length > CfgReader.MaxCfgBytes) throw CfgReader.TooLarge(source.Display, length.Value);

                var body = new MemoryStream();
                var buffer = new byte[1 << 16];
                while (true)
                {
                    var read = await response.ReadAsync(buffer, "after " + body.Length + " bytes").ConfigureAwait(false);
                    if (read == 0) break;
                    received += read;
                    if (body.Length == 0 && HttpGet.FirstNonWhitespace(buffer, read) == '<') throw HtmlError(source, "a body starting with '<'");
                    if (body.Length + read > CfgReader.MaxCfgBytes) throw CfgReader.MoreThanMax(source.Display);
                    body.Write(buffer, 0, read);
                }
                result = body.ToArray();
            }
        }, () => received, cancellationToken).GetAwaiter().GetResult();
        return result!;
    }

    /// <summary>The cached text for the URL, or null when not cached or when the entry no longer verifies (it is then removed).</summary>
    private string? ReadCached(string index, string name, CancellationToken cancellationToken)
    {
        try
        {
            if (!File.Exists(index)) return null;
            var sha256 = FileHashes.ParseHex(File.ReadAllText(index), 64);
            if (sha256 == null) return null;
            var entry = _cache.TryGetContent(Area, sha256, name, cancellationToken);
            return entry == null ? null : CfgReader.TextOf(File.ReadAllBytes(entry.Path), entry.Path);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is DarknetException)
        {
            return null;
        }
    }

    /// <summary>Publishes the content entry (the cache's one way), then the URL's index line. A cache that cannot be written only costs a fetch next time.</summary>
    private void Store(string index, string name, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            var entry = _cache.PublishContent(Area, name, bytes, cancellationToken);
            AtomicFile.WriteAllText(index, entry.Hashes.Sha256 + "\n");
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is DarknetException)
        {
            _log.Message(LogLevel.Detail, "Could not cache the Config in " + Path.Combine(_cache.Root, Area) + ": " + e.Message);
        }
    }

    private static DarknetException HtmlError(SourceUrl source, string evidence) =>
        new DarknetException(ErrorCodes.HtmlPage, $"Config {source.Display} answered with an HTML page ({evidence}), not a .cfg file.");

    private static string UrlKey(string identity)
    {
        using (var sha = SHA256.Create())
            return FileHashes.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(identity))).Substring(0, 32);
    }
}
