using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Cache;

/// <summary>
/// One file of the machine cache and the one way it is published (weights, converted outputs, configs):
/// <list type="number">
/// <item>a hit whose sidecar is current and acceptable is returned without lock or write (a read-only cache works);</item>
/// <item>otherwise take the entry's lock (a read-only file system: go on read-only, never wait for it), remove the litter of
/// dead runs (this entry's temps, partials nobody resumed for <see cref="PartialMaxAge"/>), refuse a directory in its place;</item>
/// <item>re-check: an existing file is re-hashed against its sidecar (never the other way round) and the caller's check;
/// a damaged one is removed;</item>
/// <item>produce: into a <see cref="TempFiles"/> temp through a hashing stream (<see cref="GetOrWriteAsync"/>), or into
/// the entry's resumable partial <c>&lt;entry&gt;.dkn-partial</c> (<see cref="GetOrDownloadAsync"/>);</item>
/// <item>verify the size and the caller's check, rename into place, make it read-only and write the sidecar with its
/// identity (Linux; see <see cref="Sidecar"/>), delete the partial's metadata.</item>
/// </list>
/// <see cref="LinkAsync"/> hands a verified entry out as a hard link (a project's obj/ file), under the same lock.
/// Errors: DarknetException DKN4012 (read-only or unwritable cache), DKN4015 (disk full), DKN4016 (a directory where
/// the entry belongs), DKN4017 (a file being written was removed by another process, again after one retry), DKN4007
/// (lock timeout), or what the check, the producer or <c>missing</c> throw.
/// </summary>
internal sealed class CacheEntry
{
    /// <summary>A partial download untouched this long is not resumed by anyone: it is deleted.</summary>
    public static readonly TimeSpan PartialMaxAge = TimeSpan.FromDays(7);

    /// <summary>A hand-placed file (no sidecar) that fails verification is renamed to &lt;entry&gt;.rejected-&lt;UTC time&gt;.</summary>
    public const string RejectedInfix = CacheLayout.RejectedInfix;

    private readonly TimeSpan _lockTimeout;
    private readonly TimeSpan _lockPollInterval;
    private readonly Action<string>? _rejected;
    private readonly Action<string>? _remaking;

    /// <param name="remaking">Called with the damage found when a recorded entry that changed after it was verified was
    /// removed and is about to be produced again.</param>
    public CacheEntry(string path, TimeSpan lockTimeout, TimeSpan lockPollInterval, Action<string>? rejected = null, Action<string>? remaking = null)
    {
        _remaking = remaking;
        Path = System.IO.Path.GetFullPath(path);
        _lockTimeout = lockTimeout;
        _lockPollInterval = lockPollInterval;
        _rejected = rejected;
    }

    public string Path { get; }
    public string Directory => System.IO.Path.GetDirectoryName(Path)!;
    public string LockPath => CacheLayout.LockPath(Path);
    public string PartialPath => CacheLayout.PartialPath(Path);

    /// <summary>The partial's resume metadata (written and read by the downloader).</summary>
    public string PartialMetadataPath => CacheLayout.PartialMetadataPath(PartialPath);

    /// <summary>
    /// The entry, downloading it on a miss: <paramref name="download"/>(partialPath, ct) leaves the whole file at the
    /// partial path (resuming what is there when it can) and returns its hashes. A failed or cancelled download leaves
    /// the partial for the next build. Null means offline: a miss throws <paramref name="missing"/>(damage or null).
    /// </summary>
    public async Task<CachedFile> GetOrDownloadAsync(
        Func<FileHashes, string, DarknetException?> check,
        Func<string, CancellationToken, Task<FileHashes>>? download,
        Func<string?, DarknetException> missing,
        CancellationToken cancellationToken)
    {
        Func<CancellationToken, Task<Produced>>? produce = null;
        if (download != null)
            produce = async token => new Produced(PartialPath, await download(PartialPath, token).ConfigureAwait(false), isPartial: true);
        return (await GetOrPublishAsync(check, produce, missing, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// The entry, writing it on a miss through <paramref name="write"/> (into a temp, hashed while written). If write
    /// throws, nothing is published and the exception propagates.
    /// </summary>
    public async Task<CachedFile> GetOrWriteAsync(
        Func<FileHashes, string, DarknetException?> check,
        Action<Stream> write,
        CancellationToken cancellationToken,
        long reserve = 0) =>
        (await GetOrPublishAsync(check, token => Task.FromResult(WriteTemp(write, reserve, token)), missing: null, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Removes the file and its sidecar under the lock (a damaged entry found while using it).</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        using (var held = await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            if (held == null) throw ReadOnly("its file " + Path + " is damaged and cannot be removed");
            Remove();
        }
    }

    /// <summary>The entry when it is there and verifies (damage is removed), else null; never produces it.</summary>
    public Task<CachedFile?> TryGetAsync(Func<FileHashes, string, DarknetException?> check, CancellationToken cancellationToken) =>
        GetOrPublishAsync(check, produce: null, missing: null, cancellationToken);

    /// <summary>
    /// Re-hashes the entry under its lock, whatever its record says, and treats a file that fails as every use of the
    /// entry does (see <see cref="Discard"/>). Returns null when it verifies (its record then holds its current identity),
    /// else the damage and what was done, with whether the file was moved aside (placed by hand) rather than removed, or
    /// kept because it could not be removed (open in another program on Windows);
    /// <see cref="ErrorCodes.LockTimeout"/> while someone else holds the lock.
    /// </summary>
    public async Task<(string Damage, bool MovedAside, bool Kept)?> CheckAsync(Func<FileHashes, string, DarknetException?> check, CancellationToken cancellationToken)
    {
        using (var held = await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            if (held == null) throw ReadOnly("its file " + Path + " cannot be checked");
            if (!File.Exists(Path)) return null;
            if (Verify(check, readOnly: false, cancellationToken, out var damage, out var handPlaced, rehash: true) != null) return null;
            return (Discard(damage!, handPlaced, remake: false, out var kept), handPlaced, kept);
        }
    }

    /// <summary>
    /// <see cref="GetOrPublishOnceAsync"/>, once more when a file it was writing vanished (another process removed it: a
    /// concurrent `darknet cache clean` of an older version, a user): produce starts again from its inputs, so it is safe.
    /// </summary>
    private async Task<CachedFile?> GetOrPublishAsync(
        Func<FileHashes, string, DarknetException?> check,
        Func<CancellationToken, Task<Produced>>? produce,
        Func<string?, DarknetException>? missing,
        CancellationToken cancellationToken)
    {
        try
        {
            return await GetOrPublishOnceAsync(check, produce, missing, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsVanished(e))
        {
        }
        try
        {
            return await GetOrPublishOnceAsync(check, produce, missing, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsVanished(e))
        {
            throw new DarknetException(ErrorCodes.EntryVanished,
                "A file of the cache entry " + Path + " was removed by another process while this build wrote it, twice: " + e.Message +
                " A concurrent `darknet cache clean` (of a version that ignores locks), a script or a user deleting cache files? " +
                "The cache itself is writable; build again once nothing else removes files there.", e);
        }
    }

    /// <summary>A file or directory that was there a moment ago is gone (ENOENT): never a permission or read-only problem.</summary>
    internal static bool IsVanished(Exception e) =>
        (e is FileNotFoundException || e is DirectoryNotFoundException) && !WriteFailure.IsNotWritable(e);

    private async Task<CachedFile?> GetOrPublishOnceAsync(
        Func<FileHashes, string, DarknetException?> check,
        Func<CancellationToken, Task<Produced>>? produce,
        Func<string?, DarknetException>? missing,
        CancellationToken cancellationToken)
    {
        var quick = Sidecar.Read(Path);
        if (quick != null && quick.Current && check(quick.Hashes, Path) == null)
            return new CachedFile(Path, quick.Hashes, published: false);

        CreateDirectory(Directory);
        using (var held = await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var readOnly = held == null;
            if (!readOnly) DeleteLitter();
            if (System.IO.Directory.Exists(Path))
                throw new DarknetException(ErrorCodes.EntryNotAFile,
                    "The cache entry " + Path + " is a directory, not a file: something other than Darknet.Build wrote there. " +
                    "Delete that directory (the cache rebuilds it) or set DARKNET_CACHE_DIR to another cache.");

            string? damage = null;
            if (File.Exists(Path))
            {
                var verified = Verify(check, readOnly, cancellationToken, out damage, out var handPlaced);
                if (verified != null)
                {
                    if (!readOnly) DeletePartial();   // published by another build: nobody resumes it now
                    return new CachedFile(Path, verified, published: false);
                }
                if (readOnly) throw ReadOnly("its file " + Path + " is damaged (" + damage + ")");
                damage = Discard(damage!, handPlaced, remake: produce != null, out _);
            }
            if (produce == null)
            {
                if (missing == null) return null;
                throw missing(damage);
            }
            if (readOnly) throw ReadOnly(Path + " is missing");

            Produced? produced = null;
            try
            {
                produced = await produce(cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                var length = new FileInfo(produced.File).Length;
                if (length != produced.Hashes.Size)
                    throw new DarknetException(ErrorCodes.WrongSize,
                        produced.File + " has " + length + " bytes, but " + produced.Hashes.Size + " were written to it; it was refused.");
                var problem = check(produced.Hashes, produced.File);
                if (problem != null)
                {
                    // A verified-wrong partial must not be resumed.
                    if (produced.IsPartial) DeletePartial();
                    throw problem;
                }
                AtomicFile.Publish(produced.File, Path);
                Sidecar.Write(Path, produced.Hashes, Seal());
                if (produced.IsPartial) AtomicFile.TryDelete(PartialMetadataPath);
                return new CachedFile(Path, produced.Hashes, published: true);
            }
            catch (Exception e) when (WriteFailure.IsDiskFull(e))
            {
                // A partial stays: once there is room, the next build continues it.
                throw WriteFailure.UnderBuild(e, Path);
            }
            catch (Exception e) when ((e is IOException || e is UnauthorizedAccessException) && !IsVanished(e))
            {
                throw new DarknetException(ErrorCodes.CacheUnusable,
                    "Cannot write the cache entry " + Path + ": " + e.Message + " Set DARKNET_CACHE_DIR or DarknetCacheDir to a writable directory.", e);
            }
            finally
            {
                if (produced != null && !produced.IsPartial) AtomicFile.TryDelete(produced.File);
            }
        }
    }

    /// <summary>
    /// The existing file's hashes when it is what its sidecar recorded (re-hashed unless the record is current) and the
    /// check accepts them; without a sidecar the file is hashed and, when accepted, recorded (a hand-seeded file).
    /// </summary>
    private FileHashes? Verify(Func<FileHashes, string, DarknetException?> check, bool readOnly, CancellationToken cancellationToken,
                               out string? damage, out bool handPlaced, bool rehash = false)
    {
        damage = null;
        var recorded = Sidecar.Read(Path);
        handPlaced = recorded == null && !System.IO.File.Exists(Sidecar.PathFor(Path));
        if (recorded != null && recorded.Current && !rehash)
        {
            var refused = check(recorded.Hashes, Path);
            if (refused == null) return recorded.Hashes;
            damage = refused.Message;
            return null;
        }

        var before = readOnly ? FileIdentity.Of(Path) : Seal();
        // A record without SHA-1 (converted outputs, configs) needs none: half the work of re-checking 248 MB.
        var actual = FileHashes.Compute(Path, withSha1: recorded == null || recorded.Hashes.Sha1.Length != 0, cancellationToken);
        if (recorded != null && (recorded.Hashes.Size != actual.Size || recorded.Hashes.Sha256 != actual.Sha256))
        {
            damage = "it changed after it was verified: " + actual.Size + " bytes with SHA-256 " + actual.Sha256 +
                     ", recorded " + recorded.Hashes.Size + " bytes with SHA-256 " + recorded.Hashes.Sha256;
            return null;
        }
        var problem = check(actual, Path);
        if (problem != null)
        {
            damage = problem.Message;
            return null;
        }
        // Same bytes as recorded (or a first check): (re)write the record so the next use needs no hashing.
        // The identity from before the hash, and only when nothing touched the file while it was hashed.
        if (!readOnly) Sidecar.Write(Path, recorded?.Hashes ?? actual, before != null && before.Equals(FileIdentity.Of(Path)) ? before : null);
        return recorded?.Hashes ?? actual;
    }

    /// <summary>
    /// Makes the entry read-only where its identity can be recorded (Linux: a write through a hard link to it then fails
    /// for anyone but root; never on Windows, where a read-only file cannot be replaced or deleted) and returns its
    /// identity as it is now, for the sidecar. Not being the owner of a shared cache's file is no error.
    /// </summary>
    private FileIdentity? Seal()
    {
        if (FileIdentity.Of(Path) == null) return null;
        try
        {
            var attributes = File.GetAttributes(Path);
            if ((attributes & FileAttributes.ReadOnly) == 0) File.SetAttributes(Path, attributes | FileAttributes.ReadOnly);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
        }
        return FileIdentity.Of(Path);
    }

    /// <summary>
    /// Gives the verified entry a second name, <paramref name="destination"/> (a project's obj/ file), instead of a copy:
    /// returns the identity the entry and that link now share, recorded in the sidecar, or null when no link was made
    /// (identity unavailable, a read-only cache, another volume, not the owner...; the caller copies). The entry's mtime
    /// is set to now first: the link's time is the entry's, and it must be newer than the build's inputs and than the
    /// copy already in bin/ (perhaps of another, older entry), or MSBuild's incremental checks would keep what is there.
    /// </summary>
    public async Task<FileIdentity?> LinkAsync(string destination, FileHashes expected, CancellationToken cancellationToken)
    {
        // Another volume (or no identity): no link can be made, so the entry is left as it is.
        var identity = FileIdentity.Of(Path);
        var folder = FileStatus.Of(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(destination))!, followLinks: true);
        if (identity == null || !folder.HasIdentity || folder.Device != identity.Device) return null;
        using (var held = await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            if (held == null) return null;
            var recorded = Sidecar.Read(Path);
            if (recorded == null || !recorded.Current || recorded.Identity == null ||
                recorded.Hashes.Size != expected.Size || recorded.Hashes.Sha256 != expected.Sha256)
                return null;
            var temp = TempFiles.PathFor(destination);
            try
            {
                File.SetLastWriteTimeUtc(Path, DateTime.UtcNow);
                if (!HardLink.TryCreate(Path, temp)) return null;
                AtomicFile.Publish(temp, destination);
                return FileIdentity.Of(Path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
            finally
            {
                AtomicFile.TryDelete(temp);
                // The new time, the link and the rename each moved ctime. Under the lock, with bytes nobody wrote, the record
                // follows (a write through another name in the microseconds since the check above would go unseen).
                Sidecar.Write(Path, recorded.Hashes, FileIdentity.Of(Path));
            }
        }
    }

    private Produced WriteTemp(Action<Stream> write, long reserve, CancellationToken cancellationToken)
    {
        var temp = TempFiles.PathFor(Path);
        try
        {
            FileHashes hashes;
            using (var file = WritebackFile.CreateNew(temp, reserve))
            using (var hashing = new HashingStream(file, leaveOpen: true, withSha1: false))
            {
                write(hashing);
                cancellationToken.ThrowIfCancellationRequested();
                hashing.Flush();
                file.FlushToDisk();
                hashes = hashing.Complete();
            }
            return new Produced(temp, hashes, isPartial: false);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    /// <summary>The entry's lock, or null when the file system refuses to create or open it (a read-only cache).</summary>
    private async Task<EntryLock?> LockAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await EntryLock.AcquireAsync(LockPath, _lockTimeout, _lockPollInterval, cancellationToken).ConfigureAwait(false);
        }
        catch (DarknetException e) when (e.Code == ErrorCodes.CacheUnusable && WriteFailure.IsNotWritable(e.InnerException))
        {
            return null;
        }
    }

    /// <summary>Under the lock: this entry's temps (whoever wrote them is gone, or we would not hold the lock), partials nobody resumed.</summary>
    private void DeleteLitter() => CacheLitter.DeleteHeld(Path);

    /// <summary>
    /// What becomes of a file that failed verification: a hand-placed one (someone put it there on purpose) is moved aside
    /// for them to look at, out of the entry's way, never deleted; a recorded one is damaged and removed. Returns the damage
    /// with what was done.
    /// </summary>
    private string Discard(string damage, bool handPlaced, bool remake, out bool kept)
    {
        kept = false;
        if (handPlaced)
        {
            var aside = CacheLayout.FreeRejectedPath(Path);
            File.Move(Path, aside);
            Sidecar.Delete(Path);
            damage += "; it was moved aside to " + aside + " (kept " + PartialMaxAge.TotalDays + " days), not deleted";
            _rejected?.Invoke("The file placed at " + Path + " failed verification (" + damage + ")");
            return damage;
        }
        // Without its record a damaged file that stays (Windows deletes no file another program holds open without
        // sharing delete) is hashed again before any use.
        kept = !Remove();
        if (remake) _remaking?.Invoke(damage);
        return !kept
            ? damage + "; it has been removed"
            : damage + "; not removed: open in another program; close it and run `darknet cache verify` again";
    }

    private bool Remove()
    {
        var removed = AtomicFile.TryDelete(Path) || !File.Exists(Path);
        Sidecar.Delete(Path);
        return removed;
    }

    private void DeletePartial()
    {
        AtomicFile.TryDelete(PartialPath);
        AtomicFile.TryDelete(PartialMetadataPath);
    }

    private DarknetException ReadOnly(string what) =>
        new DarknetException(ErrorCodes.CacheUnusable,
            "The Darknet cache is read-only (its lock file " + LockPath + " cannot be written) and " + what +
            ": a read-only cache can only serve entries that verify. Set DARKNET_CACHE_DIR or DarknetCacheDir to a writable directory, " +
            "or fill the read-only cache from a machine that can write it.");

    private static void CreateDirectory(string directory)
    {
        try
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            throw new DarknetException(ErrorCodes.CacheUnusable,
                "Cannot create the Darknet cache directory " + directory + ": " + e.Message +
                (WriteFailure.IsNotWritable(e) ? " (the cache is read-only: it can only serve entries that are there and verify)." : "") +
                " Set DARKNET_CACHE_DIR or DarknetCacheDir to a writable directory.", e);
        }
    }

    private sealed class Produced
    {
        public Produced(string file, FileHashes hashes, bool isPartial)
        {
            File = file;
            Hashes = hashes;
            IsPartial = isPartial;
        }

        public string File { get; }
        public FileHashes Hashes { get; }
        public bool IsPartial { get; }
    }
}
