using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Darknet.Weights.IO;

namespace Darknet.Cache;

/// <summary>
/// The one format of the small records kept beside files (a cache entry's sidecar, an obj/ link's record): one
/// <c>key=value</c> per line, written atomically. Reading keeps the last value of a key, trims both sides and skips
/// lines without a key; what a record must hold is its reader's business.
/// </summary>
internal static class RecordFile
{
    public static void Write(string path, params (string Key, string Value)[] fields) =>
        AtomicFile.WriteAllText(path, string.Concat(fields.Select(f => f.Key + "=" + f.Value + "\n")));

    /// <summary>The record's fields; throws IOException or UnauthorizedAccessException as reading the file does.</summary>
    public static Dictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var equals = line.IndexOf('=');
            if (equals > 0) values[line.Substring(0, equals).Trim()] = line.Substring(equals + 1).Trim();
        }
        return values;
    }
}
