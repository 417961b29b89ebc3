using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.Config;
using Darknet.Weights.IO;
using Darknet.Weights.Layout;

namespace Darknet.Build.Tasks
{
    /// <summary>
    /// A Config given as a URL, fetched with the weights' rules (<see cref="HttpGet"/>: stall timeout, retries, redirects,
    /// credentials only to their host) and the CLI's cfg rules (at most <see cref="CfgReader.MaxCfgBytes"/>, no binary, no
    /// HTML page). Cached only once it parses, keyed by its content: <c>configs/sha256-&lt;hex&gt;/&lt;file&gt;</c>, found
    /// again through <c>configs/urls/&lt;hash of the URL without credentials&gt;</c> (so offline builds keep working).
    /// A cached file is checked against its key when read; an answer that did not parse is not cached, so it is asked again.
    /// </summary>
    internal static class ConfigDownload
    {
        private const string Area = "configs";

        public static string Get(MachineCache cache, string url, AcquireSettings settings, CancellationToken cancellationToken)
        {
            var source = SourceUrl.Parse(url);
            var name = Path.GetFileName(source.Target.AbsolutePath);
            if (name.Length == 0) name = "model.cfg";
            var configs = Path.Combine(cache.Root, Area);
            var index = Path.Combine(configs, "urls", UrlKey(source.Identity));
            var cached = ReadCached(cache, index, name, cancellationToken);
            if (cached != null) return cached;

            if (settings.Offline)
                throw new DarknetException(ErrorCodes.OfflineMiss,
                    $"Offline (DarknetOffline=true) and the Config {source.Display} is not in the machine cache ({configs}): " +
                    "build once online, or set Config to a local copy of the file.");
            if (source.Target.Scheme == Uri.UriSchemeHttp && !settings.AllowHttp)
                throw new DarknetException(ErrorCodes.HttpRefused,
                    $"Refusing to fetch the Config over plain http ({source.Display}): use https, or set DarknetAllowHttp=true.");

            var bytes = Fetch(source, name, settings, cancellationToken);
            var text = CfgReader.TextOf(bytes, source.Display);
            NetworkLayout.FromCfg(text, source.Display);   // garbage throws here, before anything is cached

            Store(cache, index, name, bytes, settings, cancellationToken);
            return text;
        }

        private static byte[] Fetch(SourceUrl source, string name, AcquireSettings settings, CancellationToken cancellationToken)
        {
            var http = new HttpGet(settings.DownloadOptions(null));
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
        private static string? ReadCached(MachineCache cache, string index, string name, CancellationToken cancellationToken)
        {
            try
            {
                if (!File.Exists(index)) return null;
                var sha256 = File.ReadAllText(index).Trim();
                if (sha256.Length != 64) return null;
                var entry = cache.TryGetContent(Area, sha256, name, cancellationToken);
                return entry == null ? null : CfgReader.TextOf(File.ReadAllBytes(entry.Path), entry.Path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is DarknetException)
            {
                return null;
            }
        }

        /// <summary>Publishes the content entry (the cache's one way), then the URL's index line. A cache that cannot be written only costs a fetch next time.</summary>
        private static void Store(MachineCache cache, string index, string name, byte[] bytes, AcquireSettings settings, CancellationToken cancellationToken)
        {
            try
            {
                var entry = cache.PublishContent(Area, name, bytes, cancellationToken);
                AtomicFile.WriteAllText(index, entry.Hashes.Sha256 + "\n");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is DarknetException)
            {
                settings.Detail("Could not cache the Config in " + Path.Combine(cache.Root, Area) + ": " + e.Message);
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
}
