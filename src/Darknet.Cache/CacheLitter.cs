using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Cache;

/// <summary>
/// The one rule for what dead runs leave in the cache (temps ".&lt;entry&gt;.….dkn-tmp", partial downloads, rejected
/// files), used by every build's acquire, by each entry when its lock is taken, and by `darknet cache clean`:
/// <list type="bullet">
/// <item>under the entry's lock (held by the caller, or taken here without waiting) every temp of that entry is an orphan,
/// since whoever writes one holds that lock; a partial or rejected file goes after <see cref="CacheEntry.PartialMaxAge"/>;</item>
/// <item>an entry whose lock someone holds is skipped, whatever its files' age;</item>
/// <item>a temp that no entry's lock file covers goes only once it is older than <see cref="TempFiles.MaxAge"/>.</item>
/// </list>
/// Never by a process id: a pid says nothing about a process in another container or on another machine.
/// </summary>
internal static class CacheLitter
{
    /// <summary>Sweeps the whole cache; returns how many files went. <paramref name="busy"/> gets each entry skipped because its lock is held. Never throws.</summary>
    public static int Sweep(string root, Action<string>? busy = null)
    {
        var deleted = 0;
        foreach (var area in CacheLayout.Areas)
        {
            foreach (var directory in CacheLayout.Subdirectories(Path.Combine(root, area)))
            {
                var entries = LockedNames(directory);
                foreach (var entry in entries)
                {
                    EntryLock? held;
                    try
                    {
                        held = EntryLock.TryAcquire(CacheLayout.LockPath(Path.Combine(directory, entry)));
                    }
                    catch (Exception e) when (e is DarknetException || e is IOException || e is UnauthorizedAccessException)
                    {
                        continue;   // a read-only cache: nothing can be removed anyway
                    }
                    if (held == null)
                    {
                        busy?.Invoke(Path.Combine(directory, entry));
                        continue;
                    }
                    using (held) deleted += DeleteHeld(Path.Combine(directory, entry));
                }
                deleted += DeleteUncovered(directory, entries);
            }
        }
        return deleted;
    }

    /// <summary>
    /// The litter of the entry at <paramref name="entryPath"/>, whose lock the caller holds: all its temps, its partial and
    /// rejected files older than <see cref="CacheEntry.PartialMaxAge"/>; and, by age, files in its directory no lock covers. Never throws.
    /// </summary>
    public static int DeleteHeld(string entryPath)
    {
        var directory = Path.GetDirectoryName(entryPath)!;
        var name = Path.GetFileName(entryPath);
        var deleted = 0;
        var longer = LockedNames(directory).Where(e => e.Length > name.Length && e.StartsWith(name + ".", StringComparison.Ordinal)).ToList();
        foreach (var temp in CacheLayout.Files(directory, "." + name + ".*" + TempFiles.Suffix))
        {
            // ".a.b.npy.….dkn-tmp" is the entry a.b.npy's when it has a lock of its own, not a.b's.
            var file = Path.GetFileName(temp);
            if (TempFiles.IsTemp(file) && !longer.Any(e => BelongsTo(file, e)) && AtomicFile.TryDelete(temp)) deleted++;
        }
        var partial = CacheLayout.PartialPath(entryPath);
        if (File.Exists(partial) && Age(partial) > CacheEntry.PartialMaxAge)
        {
            if (AtomicFile.TryDelete(partial)) deleted++;
            AtomicFile.TryDelete(CacheLayout.PartialMetadataPath(partial));
        }
        foreach (var rejected in CacheLayout.Files(directory, name + CacheLayout.RejectedInfix + "*"))
            if (DateTime.UtcNow - CacheLayout.RejectedAt(rejected) > CacheEntry.PartialMaxAge && AtomicFile.TryDelete(rejected)) deleted++;
        return deleted + DeleteUncovered(directory, LockedNames(directory));
    }

    /// <summary>Files of no entry with a lock file (nobody can be writing them under a lock): by age only.</summary>
    private static int DeleteUncovered(string directory, IReadOnlyCollection<string> entries)
    {
        var deleted = 0;
        foreach (var file in CacheLayout.Files(directory, "*"))
        {
            var name = Path.GetFileName(file);
            if (entries.Any(e => BelongsTo(name, e))) continue;
            var expired = TempFiles.IsTemp(name) ? Age(file) > TempFiles.MaxAge
                : name.EndsWith(CacheLayout.PartialSuffix, StringComparison.Ordinal) ? Age(file) > CacheEntry.PartialMaxAge
                : CacheLayout.IsRejected(file) && DateTime.UtcNow - CacheLayout.RejectedAt(file) > CacheEntry.PartialMaxAge;
            if (!expired || !AtomicFile.TryDelete(file)) continue;
            deleted++;
            if (name.EndsWith(CacheLayout.PartialSuffix, StringComparison.Ordinal)) AtomicFile.TryDelete(CacheLayout.PartialMetadataPath(file));
        }
        return deleted;
    }

    /// <summary>The file names the entry <paramref name="entry"/> owns: itself, its sidecar, partial, rejected copies and temps.</summary>
    private static bool BelongsTo(string fileName, string entry) =>
        fileName == entry || fileName.StartsWith(entry + ".", StringComparison.Ordinal) || fileName.StartsWith("." + entry + ".", StringComparison.Ordinal);

    /// <summary>The entries of a directory that have a lock file (every entry that was ever written or downloaded has one).</summary>
    private static List<string> LockedNames(string directory) =>
        CacheLayout.Files(directory, "*" + CacheLayout.LockSuffix)
            .Select(f => Path.GetFileName(f))
            .Select(n => n.Substring(0, n.Length - CacheLayout.LockSuffix.Length))
            .Where(n => n.Length > 0)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

    private static TimeSpan Age(string path)
    {
        try
        {
            return DateTime.UtcNow - File.GetLastWriteTimeUtc(path);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return TimeSpan.Zero;
        }
    }
}
