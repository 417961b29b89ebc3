using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Darknet.Build.Cache;
using Darknet.Build.Download;
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
        public static string Get(string cacheRoot, string url, AcquireSettings settings, CancellationToken cancellationToken)
        {
            var source = SourceUrl.Parse(url);
            var name = Path.GetFileName(source.Target.AbsolutePath);
            if (name.Length == 0) name = "model.cfg";
            var configs = Path.Combine(cacheRoot, "configs");
            var index = Path.Combine(configs, "urls", UrlKey(source.Identity));
            var cached = ReadCached(configs, index);
            if (cached != null) return cached;

            if (settings.Offline)
                throw new DarknetException(BuildErrorCodes.OfflineMiss,
                    $"Offline (DarknetOffline=true) and the Config {source.Display} is not in the machine cache ({configs}): " +
                    "build once online, or set Config to a local copy of the file.");
            if (source.Target.Scheme == Uri.UriSchemeHttp && !settings.AllowHttp)
                throw new DarknetException(BuildErrorCodes.HttpRefused,
                    $"Refusing to fetch the Config over plain http ({source.Display}): use https, or set DarknetAllowHttp=true.");

            var bytes = Fetch(source, name, settings, cancellationToken);
            var text = CfgReader.TextOf(bytes, source.Display);
            NetworkLayout.FromCfg(text, source.Display);   // garbage throws here, before anything is cached

            Store(configs, index, name, bytes, settings);
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
                        throw new DarknetException(BuildErrorCodes.HttpStatus,
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

        /// <summary>The cached text for the URL, or null when not cached or when the file no longer matches its content key.</summary>
        private static string? ReadCached(string configs, string index)
        {
            try
            {
                if (!File.Exists(index)) return null;
                var entry = File.ReadAllText(index).Trim();
                var path = Path.GetFullPath(Path.Combine(configs, entry));
                if (!path.StartsWith(Path.GetFullPath(configs) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path)) return null;
                var bytes = File.ReadAllBytes(path);
                if (entry.IndexOf('/') < 0 || entry.Substring(0, entry.IndexOf('/')) != ContentKey(bytes)) return null;
                return CfgReader.TextOf(bytes, path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is DarknetException)
            {
                return null;
            }
        }

        /// <summary>Publishes the content entry, then the URL's index line. A cache that cannot be written only costs a fetch next time.</summary>
        private static void Store(string configs, string index, string name, byte[] bytes, AcquireSettings settings)
        {
            var key = ContentKey(bytes);
            try
            {
                var path = Path.Combine(configs, key, name);
                if (!File.Exists(path) || ContentKey(File.ReadAllBytes(path)) != key)
                    AtomicFile.Write(path, stream => stream.Write(bytes, 0, bytes.Length));
                AtomicFile.WriteAllText(index, key + "/" + name + "\n");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                settings.Detail("Could not cache the Config in " + configs + ": " + e.Message);
            }
        }

        private static DarknetException HtmlError(SourceUrl source, string evidence) =>
            new DarknetException(BuildErrorCodes.HtmlPage, $"Config {source.Display} answered with an HTML page ({evidence}), not a .cfg file.");

        private static string ContentKey(byte[] bytes)
        {
            using (var sha = SHA256.Create())
                return "sha256-" + FileHashes.Hex(sha.ComputeHash(bytes));
        }

        private static string UrlKey(string identity)
        {
            using (var sha = SHA256.Create())
                return FileHashes.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(identity))).Substring(0, 32);
        }
    }
}
