using System;
using System.Globalization;
using System.IO;
using Darknet.Cache;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Build.Tasks;

/// <summary>
/// Places a cached output in the project's obj/ folder. Where the machine cache can vouch for its entry by identity
/// (Linux: <see cref="FileIdentity"/> in the sidecar) and the file system allows, the obj/ file is a hard link to the
/// entry: no bytes are copied, and bin/ gets MSBuild's usual copy of it. Otherwise it is a copy, hashed after it is
/// made and published only when it matches the SHA-256 the cache recorded. Temps of killed builds in that folder are
/// removed first.
/// </summary>
/// <remarks>
/// A link is one file with the cache entry, so a write through it would change the entry. The entry is read-only
/// (a write fails for anyone but root), and any write that does happen moves the file's ctime: beside the link, a
/// record (<c>&lt;file&gt;.dkn-link</c>) names the entry, and on every build the resolve step calls <see cref="DropIfChanged"/>,
/// which removes a link whose identity is no longer what the cache recorded, so the acquire step runs again and the
/// cache re-verifies its entry (re-hash; a damaged one is converted again). The copy is the runtime's
/// <see cref="File.Copy(string, string)"/>: a copy-on-write clone (FICLONE) where the file system has them, else an
/// in-kernel copy.
/// </remarks>
internal static class ObjFile
{
    /// <summary>The record beside a linked obj/ file (listed in FileWrites: dotnet clean removes it).</summary>
    public const string LinkRecordSuffix = ".dkn-link";

    public static string LinkRecordPath(string path) => path + LinkRecordSuffix;

    /// <summary>False when the cached file is not what its sidecar recorded (nothing is placed): rebuild it and try again.</summary>
    public static bool Place(MachineCache cache, CachedFile source, string destination)
    {
        var directory = Path.GetDirectoryName(destination)!;
        Directory.CreateDirectory(directory);
        TempFiles.DeleteOrphans(directory);
        var record = LinkRecordPath(destination);
        if (FileIdentity.Of(source.Path) != null)
        {
            // Written before the link appears: an obj/ file with a record is never trusted without the identity check.
            LinkRecord.Write(record, source.Path, source.Hashes, identity: null);
            if (cache.Link(source, destination) is FileIdentity linked)
            {
                LinkRecord.Write(record, source.Path, source.Hashes, linked);
                return true;
            }
        }
        AtomicFile.TryDelete(record);
        return Copy(source, destination);
    }

    /// <summary>
    /// For the resolve step (every build): removes the obj/ link at <paramref name="path"/> when it is no longer the
    /// verified cache entry (written, replaced, or the record cannot vouch for it), so that the acquire step runs and
    /// places it again. Returns why it was removed, or null when it stays (a copy has no record: it was hashed when placed).
    /// A link whose cache entry was removed since (darknet cache clean) is hashed once against the record instead:
    /// the build does not fetch again what the project still holds.
    /// </summary>
    public static string? DropIfChanged(string path)
    {
        var recordPath = LinkRecordPath(path);
        if (!File.Exists(recordPath)) return null;
        if (!File.Exists(path))
        {
            AtomicFile.TryDelete(recordPath);
            return null;
        }
        var record = LinkRecord.Read(recordPath);
        var identity = FileIdentity.Of(path);
        string reason;
        if (record == null || identity == null)
        {
            reason = "its record " + recordPath + " is unreadable";
        }
        else if (identity.Equals(record.Identity))
        {
            return null;
        }
        else if (Sidecar.Read(record.Entry) is Sidecar.Record cached &&
                 (identity.Equals(cached.Identity) || FileStatus.Of(path, followLinks: false).IsSameFile(FileStatus.Of(record.Entry, followLinks: false))))
        {
            if (identity.Equals(cached.Identity)) return null;
            reason = "it changed after it was verified (" + identity + ", the cache recorded " + (cached.Identity?.ToString() ?? "nothing") + ")";
        }
        else
        {
            // The entry is gone from the cache, or this is no longer that file (obj/ restored from a CI cache): the
            // record's SHA-256 says whether these are still the bytes that were placed.
            FileHashes hashes;
            try
            {
                hashes = FileHashes.Compute(path, withSha1: false);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new DarknetException(TaskErrorCodes.PlacingOutputFailed, $"Cannot read {path} to check it: {e.Message}", e);
            }
            if (hashes.Size == record.Hashes.Size && hashes.Sha256 == record.Hashes.Sha256 && identity.Equals(FileIdentity.Of(path)))
            {
                LinkRecord.Write(recordPath, record.Entry, record.Hashes, identity);
                return null;
            }
            reason = (File.Exists(record.Entry) ? "it is another file than its cache entry " + record.Entry : "its cache entry " + record.Entry + " was removed") +
                     " and it no longer has the SHA-256 recorded when it was placed";
        }
        AtomicFile.TryDelete(path);
        AtomicFile.TryDelete(recordPath);
        if (File.Exists(path))
            throw new DarknetException(TaskErrorCodes.PlacingOutputFailed,
                $"Cannot remove {path}, which is no longer the verified cache entry ({reason}): delete it, then build again.");
        return reason;
    }

    /// <summary>
    /// The size and SHA-256 of the obj/ file at <paramref name="path"/> when its record vouches for it (the identity it
    /// recorded when the file was placed, or when <see cref="DropIfChanged"/> hashed a restored copy this build) and names
    /// the converted entry <paramref name="key"/>/<paramref name="outputName"/>; else null.
    /// </summary>
    public static FileHashes? KeptWithoutEntry(string path, string key, string outputName)
    {
        var record = LinkRecord.Read(LinkRecordPath(path));
        if (record == null || record.Identity == null || !record.Identity.Equals(FileIdentity.Of(path))) return null;
        var entry = record.Entry.Replace('\\', '/');
        return entry.EndsWith("/converted/" + key + "/" + outputName, StringComparison.Ordinal) ? record.Hashes : null;
    }

    private static bool Copy(CachedFile source, string destination)
    {
        // An old link to the entry "holds" its bytes, but touching it would touch the cache entry: replace it by a copy.
        if (!FileStatus.Of(destination, followLinks: false).IsSameFile(FileStatus.Of(source.Path, followLinks: false)) &&
            Holds(destination, source.Hashes))
        {
            File.SetLastWriteTimeUtc(destination, DateTime.UtcNow);
            return true;
        }
        AtomicFile.RefuseToReplace(destination);
        var temp = TempFiles.PathFor(Path.GetFullPath(destination));
        try
        {
            File.Copy(source.Path, temp);
            // The copy gets the entry's mode (read-only on Linux): it is the project's own file.
            File.SetAttributes(temp, File.GetAttributes(temp) & ~FileAttributes.ReadOnly);
            using (var copy = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.SequentialScan))
            {
                var copied = FileHashes.Compute(copy, withSha1: false);
                if (copied.Size != source.Hashes.Size || copied.Sha256 != source.Hashes.Sha256) return false;
                copy.Flush(flushToDisk: true);
            }
            // File.Copy keeps the cache entry's time; the output must be newer than this build's inputs (the stamp).
            File.SetLastWriteTimeUtc(temp, DateTime.UtcNow);
            AtomicFile.Publish(temp, destination);
            return true;
        }
        finally
        {
            AtomicFile.TryDelete(temp);
        }
    }

    /// <summary>
    /// The record beside an obj/ link: which cache entry it is, the entry's size and SHA-256, and the identity the link
    /// had when it was placed (or last hashed: see <see cref="DropIfChanged"/>).
    /// </summary>
    private sealed class LinkRecord
    {
        private LinkRecord(string entry, FileHashes hashes, FileIdentity? identity)
        {
            Entry = entry;
            Hashes = hashes;
            Identity = identity;
        }

        public string Entry { get; }
        public FileHashes Hashes { get; }
        public FileIdentity? Identity { get; }

        public static void Write(string path, string entry, FileHashes hashes, FileIdentity? identity) =>
            RecordFile.Write(path,
                ("entry", entry),
                ("size", hashes.Size.ToString(CultureInfo.InvariantCulture)),
                ("sha256", hashes.Sha256),
                ("identity", identity?.ToString() ?? ""));

        public static LinkRecord? Read(string path)
        {
            try
            {
                var values = RecordFile.Read(path);
                if (!values.TryGetValue("entry", out var entry) || entry.Length == 0 ||
                    !values.TryGetValue("size", out var sizeText) || !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ||
                    !values.TryGetValue("sha256", out var sha256) || sha256.Length != 64)
                    return null;
                values.TryGetValue("identity", out var identity);
                return new LinkRecord(entry, new FileHashes(size, sha256, ""), FileIdentity.Parse(identity));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    private static bool Holds(string path, FileHashes expected)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != expected.Size) return false;
        return FileHashes.Compute(path, withSha1: false).Sha256 == expected.Sha256;
    }
}
