using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Darknet.Weights.IO;

namespace Darknet.Cache;

/// <summary>
/// The "&lt;entry&gt;.verified" file written (atomically) when an entry was published: its size, SHA-256 and SHA-1 (empty
/// for a converted output or a config: nothing checks theirs) as
/// computed while the file was downloaded or written (or when it was first checked against a pin). It is the entry's
/// reference: a later check re-hashes the file and compares with it, and it is never rewritten from what is on disk.
/// <see cref="Record.Current"/>: the record may be trusted without hashing. Where the file's <see cref="FileIdentity"/>
/// can be read (Linux), the record holds the identity the entry had when its bytes were known to be the recorded ones,
/// and it is current only while the entry still has exactly that identity (device, inode, size, mtime and ctime: a
/// write through any name, a hard link in a project's obj/ too, moves ctime, which no user-space call can set back).
/// Elsewhere (Windows, macOS, statx blocked), current means the file still has that size and was not modified after the
/// sidecar was written (a file damaged with its timestamp put back passes: its users hash what they copy).
/// </summary>
internal static class Sidecar
{
    public sealed class Record
    {
        public Record(FileHashes hashes, bool current, FileIdentity? identity)
        {
            Hashes = hashes;
            Current = current;
            Identity = identity;
        }

        public FileHashes Hashes { get; }
        public bool Current { get; }

        /// <summary>The entry's identity when it was last known to hold these bytes; null when none was recorded.</summary>
        public FileIdentity? Identity { get; }
    }

    public static string PathFor(string entryPath) => CacheLayout.SidecarPath(entryPath);

    /// <summary>
    /// Writes the record with <paramref name="identity"/>: the entry's identity taken while nothing but the caller (holding
    /// the entry's lock) could have changed its bytes since they were hashed. False when the cache refused the write (the
    /// entry is then checked again next time).
    /// </summary>
    public static bool Write(string entryPath, FileHashes hashes, FileIdentity? identity)
    {
        var fields = new List<(string, string)>
        {
            ("size", hashes.Size.ToString(CultureInfo.InvariantCulture)),
            ("sha256", hashes.Sha256),
            ("sha1", hashes.Sha1),
        };
        if (identity != null) fields.Add(("identity", identity.ToString()));
        try
        {
            RecordFile.Write(PathFor(entryPath), fields.ToArray());
            // File times come from a coarse kernel clock; a file touched a moment ago may look newer than this record.
            var entryTime = File.GetLastWriteTimeUtc(entryPath);
            if (File.GetLastWriteTimeUtc(PathFor(entryPath)) < entryTime) File.SetLastWriteTimeUtc(PathFor(entryPath), entryTime);
            return true;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The recorded values of an existing entry, or null when there is no complete, readable record.</summary>
    public static Record? Read(string entryPath)
    {
        try
        {
            var sidecar = new FileInfo(PathFor(entryPath));
            var entry = new FileInfo(entryPath);
            if (!sidecar.Exists || !entry.Exists) return null;
            var values = RecordFile.Read(sidecar.FullName);
            if (!values.TryGetValue("size", out var sizeText) ||
                !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ||
                !values.TryGetValue("sha256", out var sha256) || sha256.Length != 64 ||
                !values.TryGetValue("sha1", out var sha1) || (sha1.Length != 40 && sha1.Length != 0))
                return null;
            var recordedIdentity = values.TryGetValue("identity", out var identityText) ? FileIdentity.Parse(identityText) : null;
            var identity = FileIdentity.Of(entryPath);
            var current = identity != null
                ? identity.Equals(recordedIdentity)
                : entry.Length == size && entry.LastWriteTimeUtc <= sidecar.LastWriteTimeUtc;
            return new Record(new FileHashes(size, sha256, sha1), current, recordedIdentity);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Delete(string entryPath) => AtomicFile.TryDelete(PathFor(entryPath));
}
