using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Darknet.Weights.IO;

namespace Darknet.Cache;

/// <summary>
/// The one description of what the machine cache holds on disk; everything else (the cache, its litter sweep, the
/// tasks, the CLI) names its folders and files through it:
/// <code>
/// &lt;root&gt;/&lt;area&gt;/&lt;key&gt;/&lt;entry&gt;                the entry (areas: weights, converted, configs)
///                           &lt;entry&gt;.lock           its lock (never deleted: someone may hold or wait on it)
///                           &lt;entry&gt;.verified       its sidecar record (<see cref="Sidecar"/>)
///                           &lt;entry&gt;.dkn-partial    a resumable download, with &lt;entry&gt;.dkn-partial.json
///                           &lt;entry&gt;.rejected-&lt;UTC yyyyMMdd-HHmmss&gt;[-n]   a hand-placed file that failed verification
///                           .&lt;entry&gt;.….dkn-tmp     a file being written (<see cref="TempFiles"/>)
/// &lt;root&gt;/configs/urls/&lt;hash of a URL&gt;    which Config URL gave which configs entry: an index, not entries
/// </code>
/// </summary>
internal static class CacheLayout
{
    public const string WeightsArea = "weights";
    public const string ConvertedArea = "converted";
    public const string ConfigsArea = "configs";

    public static readonly IReadOnlyList<string> Areas = new[] { WeightsArea, ConvertedArea, ConfigsArea };

    /// <summary>The folder of <see cref="ConfigsArea"/> that holds the Config URL index files.</summary>
    public const string ConfigIndexFolder = "urls";

    public const string LockSuffix = ".lock";
    public const string SidecarSuffix = ".verified";
    public const string PartialSuffix = ".dkn-partial";
    public const string PartialMetadataSuffix = ".json";
    public const string RejectedInfix = ".rejected-";
    private const string RejectedTimeFormat = "yyyyMMdd-HHmmss";

    public static string EntryPath(string root, string area, string key, string fileName) => Path.Combine(root, area, key, fileName);

    public static string LockPath(string entryPath) => entryPath + LockSuffix;

    public static string SidecarPath(string entryPath) => entryPath + SidecarSuffix;

    public static string PartialPath(string entryPath) => entryPath + PartialSuffix;

    public static string PartialMetadataPath(string partialPath) => partialPath + PartialMetadataSuffix;

    /// <summary>A free "&lt;entry&gt;.rejected-&lt;UTC time&gt;[-n]" for the entry's file moved aside now.</summary>
    public static string FreeRejectedPath(string entryPath)
    {
        var stem = entryPath + RejectedInfix + DateTime.UtcNow.ToString(RejectedTimeFormat, CultureInfo.InvariantCulture);
        var target = stem;
        for (var n = 2; File.Exists(target); n++) target = stem + "-" + n;
        return target;
    }

    /// <summary>True for a file that a verification moved aside.</summary>
    public static bool IsRejected(string path) => Path.GetFileName(path).Contains(RejectedInfix);

    /// <summary>When a rejected file was moved aside: the time in its name (its own timestamp is the hand-placed file's).</summary>
    public static DateTime RejectedAt(string path)
    {
        var name = Path.GetFileName(path);
        var at = name.LastIndexOf(RejectedInfix, StringComparison.Ordinal);
        if (at >= 0 && name.Length >= at + RejectedInfix.Length + RejectedTimeFormat.Length &&
            DateTime.TryParseExact(name.Substring(at + RejectedInfix.Length, RejectedTimeFormat.Length), RejectedTimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return time;
        return File.GetLastWriteTimeUtc(path);
    }

    /// <summary>Bookkeeping beside an entry (its lock, sidecar, a partial's metadata, a temp): never an item of its own.</summary>
    public static bool IsBookkeeping(string fileName) =>
        fileName.EndsWith(SidecarSuffix, StringComparison.Ordinal) || fileName.EndsWith(LockSuffix, StringComparison.Ordinal) ||
        fileName.EndsWith(TempFiles.Suffix, StringComparison.Ordinal) || fileName.EndsWith(PartialSuffix + PartialMetadataSuffix, StringComparison.Ordinal);

    /// <summary>The cache's items under <paramref name="root"/>: entries, partial downloads and rejected files, in ordinal order.</summary>
    public static IEnumerable<CacheItem> Items(string root)
    {
        foreach (var area in Areas)
        {
            foreach (var directory in Subdirectories(Path.Combine(root, area)))
            {
                if (area == ConfigsArea && Path.GetFileName(directory) == ConfigIndexFolder) continue;
                foreach (var file in Files(directory, "*").OrderBy(f => f, StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(file);
                    if (IsBookkeeping(name)) continue;
                    if (name.EndsWith(PartialSuffix, StringComparison.Ordinal))
                        yield return new CacheItem(file, area, CacheItemKind.Partial, file.Substring(0, file.Length - PartialSuffix.Length));
                    else if (IsRejected(file))
                        yield return new CacheItem(file, area, CacheItemKind.Rejected, file.Substring(0, file.LastIndexOf(RejectedInfix, StringComparison.Ordinal)));
                    else
                        yield return new CacheItem(file, area, CacheItemKind.Entry, file);
                }
            }
        }
    }

    /// <summary>The key folders of an area, in ordinal order (none when it is missing or unreadable).</summary>
    public static string[] Subdirectories(string directory)
    {
        try
        {
            if (!Directory.Exists(directory)) return Array.Empty<string>();
            var found = Directory.GetDirectories(directory);
            Array.Sort(found, StringComparer.Ordinal);
            return found;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    public static string[] Files(string directory, string pattern)
    {
        try
        {
            return Directory.Exists(directory) ? Directory.GetFiles(directory, pattern) : Array.Empty<string>();
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }
}
