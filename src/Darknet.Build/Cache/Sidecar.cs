using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Darknet.Weights.IO;

namespace Darknet.Build.Cache
{
    /// <summary>
    /// The "&lt;entry&gt;.verified" file written (atomically) after an entry was verified: its size and hashes.
    /// It is trusted only while the entry still has that size and was not modified after the sidecar was written;
    /// otherwise the entry is hashed again.
    /// </summary>
    internal static class Sidecar
    {
        public const string Suffix = ".verified";

        public static string PathFor(string entryPath) => entryPath + Suffix;

        public static void Write(string entryPath, long size, string? sha256, string? sha1)
        {
            var text = "size=" + size.ToString(CultureInfo.InvariantCulture) + "\n";
            if (sha256 != null) text += "sha256=" + sha256 + "\n";
            if (sha1 != null) text += "sha1=" + sha1 + "\n";
            try
            {
                AtomicFile.WriteAllText(PathFor(entryPath), text);
            }
            catch (IOException)
            {
                // A read-only cache still works; it just hashes again next time.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        /// <summary>The recorded values when the sidecar still vouches for the entry as it is now, else null.</summary>
        public static IDictionary<string, string>? ReadIfCurrent(string entryPath)
        {
            try
            {
                var sidecar = new FileInfo(PathFor(entryPath));
                var entry = new FileInfo(entryPath);
                if (!sidecar.Exists || !entry.Exists) return null;
                if (entry.LastWriteTimeUtc > sidecar.LastWriteTimeUtc) return null;
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var line in File.ReadAllLines(sidecar.FullName))
                {
                    var equals = line.IndexOf('=');
                    if (equals > 0) values[line.Substring(0, equals).Trim()] = line.Substring(equals + 1).Trim();
                }
                if (!values.TryGetValue("size", out var size) || size != entry.Length.ToString(CultureInfo.InvariantCulture)) return null;
                return values;
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        public static void Delete(string entryPath) => AtomicFile.TryDelete(PathFor(entryPath));
    }
}
