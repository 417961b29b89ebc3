using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Cache;

/// <summary>
/// The per-machine cache of verified weights, converted outputs and configs. MSBuild-free and HTTP-free: the download is passed in.
/// <code>
/// var cache = new MachineCache(CacheLocation.Resolve($(DarknetCacheDir)));   // or MachineCache.Create(dir)
/// cache.LockTimeout = TimeSpan.FromMinutes(10);                               // default
/// string where = cache.WeightsPath(request);                                 // the entry's final path (exists or not)
/// CachedWeights w = cache.GetWeights(request, downloader.DownloadAsync, ct);  // download: null = offline
/// CachedFile npy = cache.GetConverted(ConvertedKey.Compute(w.Hashes.Sha256, ...), "yolov3.npy", stream => convert into it, ct);
/// CachedFile cfg = cache.PublishContent("configs", "yolov3.cfg", bytes, ct);  // configs/sha256-&lt;hex&gt;/yolov3.cfg
/// </code>
/// Layout under <see cref="Root"/> (<see cref="CacheLayout"/>): <c>weights/&lt;key&gt;/&lt;fileName&gt;</c> with key = sha256-&lt;hex&gt; (pinned or
/// published), sha256s-&lt;hash of the accepted digests&gt; (several published), else sha1-&lt;hex&gt; (published), else url-&lt;hash of the URLs without credentials and the size&gt;;
/// <c>converted/&lt;key&gt;/&lt;outputName&gt;</c>; <c>&lt;area&gt;/sha256-&lt;hex&gt;/&lt;fileName&gt;</c> for content.
/// Every entry is published by <see cref="CacheEntry"/>: a ".lock" file, a ".verified" sidecar with the size and hashes
/// recorded when it was written, and (weights) a resumable "&lt;entry&gt;.dkn-partial" while downloading.
/// Errors: DarknetException with ErrorCodes.OfflineMiss, LockTimeout, CacheUnusable, DiskFull, EntryNotAFile,
/// WrongSize, HashMismatch.
/// </summary>
public sealed class MachineCache
{
    public MachineCache(string root) : this(root, SilentLog.Instance)
    {
    }

    /// <param name="log">Hears of a hand-placed file that failed verification and was moved aside to
    /// "&lt;entry&gt;.rejected-&lt;UTC time&gt;" (a RejectedSeed warning: never deleted at once, it is someone's file; the litter
    /// sweep removes it after 7 days), and of an entry that changed after it was verified (damaged: the re-check found
    /// other bytes than its record), removed and about to be downloaded or converted again.</param>
    internal MachineCache(string root, IDarknetLog log)
    {
        Root = Path.GetFullPath(root);
        Log = log;
    }

    public static MachineCache Create(string? overrideDirectory = null) => new MachineCache(CacheLocation.Resolve(overrideDirectory));

    public string Root { get; }

    /// <summary>How long to wait for another process holding an entry's lock. Default 10 minutes.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan LockPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    internal IDarknetLog Log { get; }

    /// <summary>The same cache, saying what it finds to <paramref name="log"/> (one acquire run's log).</summary>
    internal MachineCache ReportingTo(IDarknetLog log) =>
        new MachineCache(Root, log) { LockTimeout = LockTimeout, LockPollInterval = LockPollInterval };

    public string WeightsPath(WeightsRequest request) => CacheLayout.EntryPath(Root, CacheLayout.WeightsArea, WeightsKey(request), request.FileName);

    /// <summary>
    /// What a weights file is: its SHA-256 (pinned or published), else its published SHA-1, else where it comes from
    /// (its URLs without credentials) and its size. Never its file name: two sources may use the same one. Where several
    /// SHA-256 digests are accepted (every known version of a file that changed upstream), the key names that set.
    /// </summary>
    public static string WeightsKey(WeightsRequest request)
    {
        if (request.AcceptedSha256.Count == 1) return "sha256-" + request.AcceptedSha256[0];
        if (request.AcceptedSha256.Count > 1)
            return "sha256s-" + ShortHash("darknet-sha256-set-v1\n" + string.Join("\n", request.AcceptedSha256.OrderBy(d => d, StringComparer.Ordinal)));
        if (request.Sha1 != null) return "sha1-" + request.Sha1;
        var source = "darknet-source-v1\n" + request.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" +
                     string.Join("\n", request.Urls.Select(SafeUrl.WithoutCredentials));
        return "url-" + ShortHash(source);
    }

    private static string ShortHash(string text)
    {
        using (var sha = SHA256.Create())
            return FileHashes.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(text))).Substring(0, 32);
    }

    public string ConvertedPath(string key, string outputName) => CacheLayout.EntryPath(Root, CacheLayout.ConvertedArea, key, PlainName(outputName, nameof(outputName)));

    /// <summary>Where <see cref="PublishContent"/> keeps <paramref name="fileName"/> with that SH-256 in <paramref name="area"/>.</summary>
    public string ContentPath(string area, string sha256, string fileName) =>
        CacheLayout.EntryPath(Root, PlainName(area, nameof(area)), "sha256-" + sha256.Trim().ToLowerInvariant(), PlainName(fileName, nameof(fileName)));

    /// <summary>
    /// Returns the verified cache entry for <paramref name="request"/>, downloading it on a miss.
    /// <paramref name="download"/>(request, partialPath, ct) must leave the whole file at partialPath (the entry's
    /// resumable "&lt;entry&gt;.dkn-partial", which it may continue) and return its hashes; WeightsDownloader.DownloadAsync fits.
    /// Null means offline: a miss throws DKN4006 naming the path to seed by hand.
    /// Waits for another process working on the same entry, then re-checks before downloading.
    /// </summary>
    public async Task<CachedWeights> GetWeightsAsync(
        WeightsRequest request,
        Func<WeightsRequest, string, CancellationToken, Task<FileHashes>>? download,
        CancellationToken cancellationToken = default)
    {
        var path = WeightsPath(request);
        var entry = Entry(path, damage => "The cached " + request.FileName + " at " + path + " was damaged (" + damage + "); fetching it again");
        var result = await entry.GetOrDownloadAsync(
            (hashes, source) => WeightsVerifier.Check(request, hashes, source),
            download == null ? null : (partial, token) => download(request, partial, token),
            damage => OfflineMiss(request, path, damage),
            cancellationToken).ConfigureAwait(false);
        return new CachedWeights(result);
    }

    /// <summary>Synchronous <see cref="GetWeightsAsync"/> for MSBuild tasks.</summary>
    public CachedWeights GetWeights(
        WeightsRequest request,
        Func<WeightsRequest, string, CancellationToken, Task<FileHashes>>? download,
        CancellationToken cancellationToken = default) =>
        GetWeightsAsync(request, download, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Removes a weights entry found damaged while it was used (the next <see cref="GetWeights"/> fetches it again).</summary>
    public void RemoveWeights(WeightsRequest request, CancellationToken cancellationToken = default) =>
        Entry(WeightsPath(request)).RemoveAsync(cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Returns the cached converted output for <paramref name="key"/> (see <see cref="ConvertedKey"/>), calling
    /// <paramref name="write"/>(stream) to write it on a miss; its SHA-256 is computed while it is written and recorded.
    /// Nothing is published when write throws; the exception propagates.
    /// </summary>
    /// <param name="reserve">Bytes to set aside before writing (at most the output's length; see WritebackFile.CreateNew).</param>
    public CachedFile GetConverted(string key, string outputName, Action<Stream> write, CancellationToken cancellationToken = default, long reserve = 0) =>
        Entry(ConvertedPath(key, outputName), damage => "The cached " + outputName + " at " + ConvertedPath(key, outputName) + " was damaged; converting it again (" + damage + ")")
            .GetOrWriteAsync((_, __) => null, write, cancellationToken, reserve).GetAwaiter().GetResult();

    /// <summary>The converted output for <paramref name="key"/> when it is there and verifies, else null (a damaged one is removed).</summary>
    internal CachedFile? TryGetConverted(string key, string outputName, CancellationToken cancellationToken = default)
    {
        var path = ConvertedPath(key, outputName);
        if (!File.Exists(path)) return null;
        return Entry(path).TryGetAsync((_, __) => null, cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>Removes a converted output found damaged while it was used (the next <see cref="GetConverted"/> writes it again).</summary>
    public void RemoveConverted(string key, string outputName, CancellationToken cancellationToken = default) =>
        Entry(ConvertedPath(key, outputName)).RemoveAsync(cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Publishes <paramref name="content"/> under its own SHA-256 (<see cref="ContentPath"/>) unless it is there already,
    /// e.g. a downloaded .cfg: <c>PublishContent("configs", "yolov3.cfg", bytes)</c> -> configs/sha256-&lt;hex&gt;/yolov3.cfg.
    /// </summary>
    public CachedFile PublishContent(string area, string fileName, byte[] content, CancellationToken cancellationToken = default)
    {
        string sha256;
        using (var sha = SHA256.Create()) sha256 = FileHashes.Hex(sha.ComputeHash(content));
        return Entry(ContentPath(area, sha256, fileName)).GetOrWriteAsync(
            (hashes, source) => hashes.Sha256 == sha256 ? null : ContentMismatch(source, sha256, hashes.Sha256),
            stream => stream.Write(content, 0, content.Length),
            cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>The content published under that SHA-256 when it is there and verifies, else null (a damaged copy is removed).</summary>
    public CachedFile? TryGetContent(string area, string sha256, string fileName, CancellationToken cancellationToken = default)
    {
        var expected = sha256.Trim().ToLowerInvariant();
        var path = ContentPath(area, expected, fileName);
        if (!File.Exists(path)) return null;
        return Entry(path).TryGetAsync(
            (hashes, source) => hashes.Sha256 == expected ? null : ContentMismatch(source, expected, hashes.Sha256),
            cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Removes what dead runs left anywhere in the cache (see <see cref="CacheLitter"/>: under each entry's lock, taken
    /// without waiting, or by age; never by process id). Never throws; returns how many files went.
    /// </summary>
    public int DeleteLitter() => CacheLitter.Sweep(Root);

    /// <summary><see cref="DeleteLitter()"/>, telling <paramref name="busy"/> of each entry skipped because its lock is held.</summary>
    internal int DeleteLitter(Action<string> busy) => CacheLitter.Sweep(Root, busy);

    /// <summary>What the cache holds: its entries, partial downloads and rejected files (<see cref="CacheLayout.Items"/>).</summary>
    internal IEnumerable<CacheItem> Items() => CacheLayout.Items(Root);

    /// <summary>
    /// Re-hashes an entry (<see cref="CacheEntry.CheckAsync"/>) against its record and what its key names (a sha256- or
    /// sha1- key of weights or configs); a file that fails is treated as every build treats it: moved aside when it was
    /// placed by hand, removed when it was recorded. Null when it verifies, else the damage and what was done.
    /// DKN4007 (<see cref="ErrorCodes.LockTimeout"/>) after <see cref="LockTimeout"/> while another process holds it.
    /// </summary>
    internal (string Damage, bool MovedAside, bool Kept)? Check(CacheItem entry, CancellationToken cancellationToken = default) =>
        Entry(entry.Path).CheckAsync((hashes, _) => KeyProblem(entry, hashes), cancellationToken).GetAwaiter().GetResult();

    private static DarknetException? KeyProblem(CacheItem entry, FileHashes actual)
    {
        var key = entry.Key;
        if (key.StartsWith("sha256-", StringComparison.Ordinal) && entry.Area != CacheLayout.ConvertedArea && key.Substring(7) != actual.Sha256)
            return new DarknetException(ErrorCodes.HashMismatch, $"SHA-256 {actual.Sha256}, its key says {key.Substring(7)}");
        if (key.StartsWith("sha1-", StringComparison.Ordinal) && actual.Sha1.Length != 0 && key.Substring(5) != actual.Sha1)
            return new DarknetException(ErrorCodes.HashMismatch, $"SHA-1 {actual.Sha1}, its key says {key.Substring(5)}");
        return null;
    }

    /// <summary>
    /// Removes an item under its entry's lock, taken without waiting (an entry a build is downloading, converting or
    /// checking stays, with its lock and partial): an entry with its sidecar, a partial with its metadata, a rejected
    /// file. Null when the entry is busy; false when the file could not be deleted (Windows deletes no file another
    /// program holds open without sharing delete: it stays, with its record); <paramref name="bytes"/>: what was removed.
    /// Lock files stay.
    /// </summary>
    internal bool? TryRemove(CacheItem item, out long bytes)
    {
        bytes = 0;
        using (var held = EntryLock.TryAcquire(CacheLayout.LockPath(item.EntryPath)))
        {
            if (held == null) return null;
            var size = File.Exists(item.Path) ? new FileInfo(item.Path).Length : 0;
            if (!AtomicFile.TryDelete(item.Path)) return !File.Exists(item.Path);
            if (item.Kind == CacheItemKind.Entry) Sidecar.Delete(item.Path);
            if (item.Kind == CacheItemKind.Partial) AtomicFile.TryDelete(CacheLayout.PartialMetadataPath(item.Path));
            bytes = size;
            return true;
        }
    }

    /// <summary>Removes the key folders, then the areas, that hold nothing any more (lock files are never deleted, so a folder with one stays).</summary>
    internal void RemoveEmptyFolders()
    {
        foreach (var area in CacheLayout.Areas)
        {
            var top = Path.Combine(Root, area);
            foreach (var directory in CacheLayout.Subdirectories(top)) TryRemoveEmpty(directory);
            TryRemoveEmpty(top);
        }
    }

    private static void TryRemoveEmpty(string directory)
    {
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any()) Directory.Delete(directory);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Puts <paramref name="file"/> (an entry this cache returned) at <paramref name="destination"/> as a hard link, its
    /// time set to now, and returns the identity the sidecar now records for both names; null when no link was made
    /// (the caller copies). See <see cref="CacheEntry.LinkAsync"/>.
    /// </summary>
    internal FileIdentity? Link(CachedFile file, string destination, CancellationToken cancellationToken = default) =>
        Entry(file.Path).LinkAsync(destination, file.Hashes, cancellationToken).GetAwaiter().GetResult();

    private CacheEntry Entry(string path, Func<string, string>? remakingMessage = null) =>
        new CacheEntry(path, LockTimeout, LockPollInterval, message => Log.Warning(ErrorCodes.RejectedSeed, message),
            remakingMessage == null ? null : damage => Log.Message(LogLevel.High, remakingMessage(damage)));

    private static DarknetException OfflineMiss(WeightsRequest request, string path, string? damage)
    {
        var message = "Offline (DarknetOffline=true) and " + request.FileName + " is not in the machine cache" +
                      (damage != null ? " (the copy there was damaged: " + damage + ")" : "") +
                      ". To seed this machine by hand, place the file at " + path +
                      " (" + request.Describe() + "); it is verified on first use. Or run `darknet fetch MODEL --cache DIR` where the network" +
                      " is reachable and copy that cache here.";
        if (request.Urls.Count > 0) message += " It can be downloaded from " + string.Join(" or ", request.Urls.Select(SafeUrl.Redact)) + ".";
        return new DarknetException(ErrorCodes.OfflineMiss, message);
    }

    private static DarknetException ContentMismatch(string source, string expected, string actual) =>
        new DarknetException(ErrorCodes.HashMismatch, source + " has SHA-256 " + actual + " instead of " + expected + ".");

    private static string PlainName(string name, string parameter)
    {
        if (string.IsNullOrEmpty(name) || name.IndexOfAny(new[] { '/', '\\' }) >= 0 || name == "." || name == "..")
            throw new ArgumentException("Must be a plain file name: '" + name + "'.", parameter);
        return name;
    }
}
