using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Darknet.Build.Cache;
using Darknet.Build.Download;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Build.Tasks
{
    /// <summary>
    /// A Config given as a URL: fetched once into the machine cache (configs/&lt;hash of the URL&gt;/&lt;file&gt;) and
    /// read from there afterwards, so offline builds keep working. A .cfg is small text: no resume, no size to check.
    /// </summary>
    internal static class ConfigDownload
    {
        public static string Get(string cacheRoot, string url, AcquireSettings settings, CancellationToken cancellationToken)
        {
            var uri = new Uri(url);
            var name = Path.GetFileName(uri.AbsolutePath);
            if (name.Length == 0) name = "model.cfg";
            var path = Path.Combine(cacheRoot, "configs", UrlKey(url), name);
            if (File.Exists(path)) return File.ReadAllText(path);

            if (settings.Offline)
                throw new DarknetException(BuildErrorCodes.OfflineMiss,
                    $"Offline (DarknetOffline=true) and the Config {url} is not in the machine cache: place it at {path}.");
            if (uri.Scheme == Uri.UriSchemeHttp && !settings.AllowHttp)
                throw new DarknetException(BuildErrorCodes.HttpRefused,
                    $"Refusing to fetch the Config over plain http ({url}): use https, or set DarknetAllowHttp=true.");

            string text;
            try
            {
                using (var response = SharedHttpClient.Instance.GetAsync(uri, cancellationToken).GetAwaiter().GetResult())
                {
                    if (!response.IsSuccessStatusCode)
                        throw new DarknetException(BuildErrorCodes.HttpStatus,
                            $"Config {url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
                    text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                }
            }
            catch (Exception e) when (!(e is DarknetException) && !cancellationToken.IsCancellationRequested)
            {
                throw new DarknetException(BuildErrorCodes.NetworkError, $"Cannot fetch the Config {url}: {e.Message}", e);
            }
            if (text.TrimStart().StartsWith("<", StringComparison.Ordinal))
                throw new DarknetException(BuildErrorCodes.HtmlPage, $"Config {url} answered with an HTML page, not a .cfg file.");

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, text);
            return text;
        }

        private static string UrlKey(string url)
        {
            using (var sha = SHA256.Create())
                return FileHashes.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(url))).Substring(0, 16);
        }
    }
}
