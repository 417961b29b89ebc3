using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Build.Cache
{
    /// <summary>
    /// The per-machine cache of verified weights and converted outputs. MSBuild-free and HTTP-free: the download is passed in.
    /// <code>
    /// var cache = new MachineCache(CacheLocation.Resolve($(DarknetCacheDir)));   // or MachineCache.Create(dir)
    /// cache.LockTimeout = TimeSpan.FromMinutes(10);                               // default
    /// string where = cache.WeightsPath(request);                                 // the entry's final path (exists or not)
    /// CachedWeights w = cache.GetWeights(request, downloader.DownloadAsync, ct);  // download: null = offline
    /// string npy = cache.GetConverted(ConvertedKey.Compute(w.Hashes.Sha256, ...), "yolov3.npy", temp => convert to temp, ct);
    /// </code>
    /// Layout under <see cref="Root"/>:
    /// <c>weights/&lt;key&gt;/&lt;fileName&gt;</c> with key = sha256-&lt;hex&gt; when pinned, else sha1-&lt;hex&gt;, else size-&lt;bytes&gt;;
    /// <c>converted/&lt;key&gt;/&lt;outputName&gt;</c>. Each entry has a ".lock" file (cross-process lock) and a ".verified" sidecar.
    /// Entries appear atomically: a <see cref="TempFiles"/> temp in the same directory, verified, then renamed.
    /// A weights entry whose size is wrong, or whose hash is wrong when re-hashed (sidecar missing or older than the file),
    /// is deleted and replaced (or, offline, reported as missing) and never used.
    /// Errors: DarknetException with BuildErrorCodes.OfflineMiss, LockTimeout, CacheUnusable, WrongSize, HashMismatch.
    /// </summary>
    public sealed class MachineCache
    {
        public MachineCache(string root)
        {
            Root = Path.GetFullPath(root);
        }

        public static MachineCache Create(string? overrideDirectory = null) => new MachineCache(CacheLocation.Resolve(overrideDirectory));

        public string Root { get; }

        /// <summary>How long to wait for another process holding an entry's lock. Default 10 minutes.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(10);

        public TimeSpan LockPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

        public string WeightsPath(WeightsRequest request)
        {
            var key = request.Sha256 != null ? "sha256-" + request.Sha256
                : request.Sha1 != null ? "sha1-" + request.Sha1
                : "size-" + request.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Path.Combine(Root, "weights", key, request.FileName);
        }

        public string ConvertedPath(string key, string outputName)
        {
            if (string.IsNullOrEmpty(outputName) || outputName.IndexOfAny(new[] { '/', '\\' }) >= 0)
                throw new ArgumentException("An output name must be a plain file name: '" + outputName + "'.", nameof(outputName));
            return Path.Combine(Root, "converted", key, outputName);
        }

        /// <summary>
        /// Returns the verified cache entry for <paramref name="request"/>, downloading it on a miss.
        /// <paramref name="download"/> (request, tempPath, ct) must leave the whole file at tempPath and return its hashes;
        /// WeightsDownloader.DownloadAsync fits. Null means offline: a miss throws DKN4006 naming the path to seed by hand.
        /// Waits for another process working on the same entry, then re-checks before downloading.
        /// </summary>
        public async Task<CachedWeights> GetWeightsAsync(
            WeightsRequest request,
            Func<WeightsRequest, string, CancellationToken, Task<FileHashes>>? download,
            CancellationToken cancellationToken = default)
        {
            var path = WeightsPath(request);
            var quick = TrustedHit(request, path);
            if (quick != null) return new CachedWeights(path, quick, downloaded: false);

            CreateDirectory(Path.GetDirectoryName(path)!);
            using (await EntryLock.AcquireAsync(path + ".lock", LockTimeout, LockPollInterval, cancellationToken).ConfigureAwait(false))
            {
                DeleteStaleTemps(path);
                string? damage = null;
                if (File.Exists(path))
                {
                    var verified = VerifyEntry(request, path, cancellationToken, out damage);
                    if (verified != null) return new CachedWeights(path, verified, downloaded: false);
                    AtomicFile.TryDelete(path);
                    Sidecar.Delete(path);
                }

                if (download == null) throw OfflineMiss(request, path, damage);

                var temp = TempFiles.PathFor(path);
                try
                {
                    var hashes = await download(request, temp, cancellationToken).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    // The downloader verified; this is the cheap second look that nothing else is published.
                    var length = new FileInfo(temp).Length;
                    if (length != hashes.Size) throw WeightsVerifier.WrongSize(request, length, temp);
                    var problem = WeightsVerifier.Check(request, hashes, temp);
                    if (problem != null) throw problem;
                    AtomicFile.Publish(temp, path);
                    Sidecar.Write(path, hashes.Size, hashes.Sha256, hashes.Sha1);
                    return new CachedWeights(path, hashes, downloaded: true);
                }
                finally
                {
                    AtomicFile.TryDelete(temp);
                    AtomicFile.TryDelete(temp + ".json");   // the downloader's partial metadata (see PartialDownload)
                }
            }
        }

        /// <summary>Synchronous <see cref="GetWeightsAsync"/> for MSBuild tasks.</summary>
        public CachedWeights GetWeights(
            WeightsRequest request,
            Func<WeightsRequest, string, CancellationToken, Task<FileHashes>>? download,
            CancellationToken cancellationToken = default) =>
            GetWeightsAsync(request, download, cancellationToken).GetAwaiter().GetResult();

        /// <summary>
        /// Returns the cached converted output for <paramref name="key"/> (see <see cref="ConvertedKey"/>), calling
        /// <paramref name="produce"/>(tempPath) to write it on a miss. The temp file is renamed into place only after
        /// produce returns; if produce throws, nothing is published and the exception propagates.
        /// </summary>
        public string GetConverted(string key, string outputName, Action<string> produce, CancellationToken cancellationToken = default)
        {
            var path = ConvertedPath(key, outputName);
            if (Sidecar.ReadIfCurrent(path) != null) return path;

            CreateDirectory(Path.GetDirectoryName(path)!);
            using (EntryLock.AcquireAsync(path + ".lock", LockTimeout, LockPollInterval, cancellationToken).GetAwaiter().GetResult())
            {
                if (Sidecar.ReadIfCurrent(path) != null) return path;
                DeleteStaleTemps(path);
                AtomicFile.TryDelete(path);
                Sidecar.Delete(path);

                var temp = TempFiles.PathFor(path);
                try
                {
                    produce(temp);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!File.Exists(temp))
                        throw new InvalidOperationException("The converter wrote nothing to " + temp + ".");
                    var length = new FileInfo(temp).Length;
                    AtomicFile.Publish(temp, path);
                    Sidecar.Write(path, length, null, null);
                    return path;
                }
                finally
                {
                    AtomicFile.TryDelete(temp);
                }
            }
        }

        /// <summary>A hit that needs no hashing: size right and a current sidecar whose hashes match the request.</summary>
        private static FileHashes? TrustedHit(WeightsRequest request, string path)
        {
            var recorded = Sidecar.ReadIfCurrent(path);
            if (recorded == null) return null;
            if (!recorded.TryGetValue("sha256", out var sha256) || !recorded.TryGetValue("sha1", out var sha1)) return null;
            var hashes = new FileHashes(request.Size, sha256, sha1);
            if (new FileInfo(path).Length != request.Size) return null;
            return WeightsVerifier.Check(request, hashes, path) == null ? hashes : null;
        }

        private static FileHashes? VerifyEntry(WeightsRequest request, string path, CancellationToken cancellationToken, out string? damage)
        {
            damage = null;
            var trusted = TrustedHit(request, path);
            if (trusted != null) return trusted;

            var length = new FileInfo(path).Length;
            if (length != request.Size)
            {
                damage = "it had " + length + " bytes instead of " + request.Size;
                return null;
            }
            var hashes = FileHashes.Compute(path, cancellationToken);
            var problem = WeightsVerifier.Check(request, hashes, path);
            if (problem != null)
            {
                damage = problem.Message;
                return null;
            }
            Sidecar.Write(path, hashes.Size, hashes.Sha256, hashes.Sha1);
            return hashes;
        }

        private static DarknetException OfflineMiss(WeightsRequest request, string path, string? damage)
        {
            var message = "Offline (DarknetOffline=true) and " + request.FileName + " is not in the machine cache" +
                          (damage != null ? " (the copy there was damaged and has been removed: " + damage + ")" : "") +
                          ". To seed this machine by hand, place the file at " + path +
                          " (" + request.Describe() + "); it is verified on first use.";
            if (request.Urls.Count > 0) message += " It can be downloaded from " + Download.SafeUrl.RedactText(string.Join(" or ", request.Urls)) + ".";
            return new DarknetException(BuildErrorCodes.OfflineMiss, message);
        }

        // Only called under the entry lock: any temp of this entry left now belongs to a process that died or was killed.
        private static void DeleteStaleTemps(string entryPath) =>
            TempFiles.DeleteOrphans(Path.GetDirectoryName(entryPath)!, Path.GetFileName(entryPath), evenLive: true);

        private static void CreateDirectory(string directory)
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new DarknetException(BuildErrorCodes.CacheUnusable,
                    "Cannot create the Darknet cache directory " + directory + ": " + e.Message +
                    " Set DARKNET_CACHE_DIR or DarknetCacheDir to a writable directory.", e);
            }
        }
    }
}
