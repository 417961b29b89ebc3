using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Darknet.Cache;
using Darknet.Weights;
using Darknet.Weights.IO;
using Darknet.Weights.Models;

namespace Darknet.Cli;

/// <summary>
/// <c>darknet cache path|list|verify|clean</c> over the machine cache that builds use (same location rules:
/// --cache DIR, else DARKNET_CACHE_DIR, else the platform default). Exit codes: 0 ok, 1 failed or (verify) something
/// was damaged, 2 usage error.
/// </summary>
public static class CacheCommand
{
    private static readonly string[] Areas = CacheLitter.Areas;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        CommandLine line;
        try
        {
            line = CommandLine.Parse(args, new[] { "--cache", "--older-than" }, new[] { "--all" });
            if (line.Words.Count != 1) throw new CommandLineException("expected one of path, list, verify, clean");
            if (line.Words[0] != "clean" && (line.Value("--older-than") != null || line.Switches.Contains("--all")))
                throw new CommandLineException("--older-than and --all belong to `darknet cache clean`");
        }
        catch (CommandLineException e)
        {
            stderr.WriteLine($"darknet: {ErrorCodes.BadCommandLine}: cache: {e.Message}");
            stderr.Write(Program.CacheHelp);
            return Program.UsageError;
        }

        // The same rule as a build with no DarknetCacheDir, --cache standing in for that property.
        var root = line.Value("--cache") is { } dir ? Path.GetFullPath(dir) : CacheLocation.Resolve();
        try
        {
            switch (line.Words[0])
            {
                case "path":
                    stdout.WriteLine(root);
                    return Program.Ok;
                case "list":
                    return List(root, stdout);
                case "verify":
                    return Verify(root, stdout);
                case "clean":
                    return Clean(root, line, stdout, stderr);
                default:
                    stderr.WriteLine($"darknet: {ErrorCodes.BadCommandLine}: cache: unknown subcommand '{line.Words[0]}'");
                    stderr.Write(Program.CacheHelp);
                    return Program.UsageError;
            }
        }
        catch (DarknetException e)
        {
            stderr.WriteLine($"darknet: {e.Code}: {e.Message}");
            return Program.Failed;
        }
    }

    private static int List(string root, TextWriter stdout)
    {
        var entries = Entries(root).ToList();
        var rows = new List<string[]> { new[] { "FILE", "MODEL", "SIZE", "SHA-256", "LAST USED" } };
        long total = 0;
        foreach (var entry in entries)
        {
            var info = new FileInfo(entry.Path);
            var record = Sidecar.Read(entry.Path);
            total += info.Length;
            rows.Add(new[]
            {
                Relative(root, entry.Path),
                entry.Model,
                Megabytes.Format(info.Length),
                entry.Kind != EntryKind.Entry ? "(" + KindText(entry.Kind) + ")" : record?.Hashes.Sha256 ?? "(not verified yet)",
                LastUsed(entry.Path).ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            });
        }
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            stdout.WriteLine(string.Join("  ", row.Select((cell, c) => c == 4 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        stdout.WriteLine($"{entries.Count} files, {Megabytes.Format(total)} in {root}");
        return Program.Ok;
    }

    /// <summary>Re-hashes every entry against its record (or the hash its key names); removes what is damaged.</summary>
    private static int Verify(string root, TextWriter stdout)
    {
        int ok = 0, damaged = 0, busy = 0, kept = 0;
        foreach (var entry in Entries(root).Where(e => e.Kind == EntryKind.Entry))
        {
            var name = Relative(root, entry.Path);
            EntryLock held;
            try
            {
                held = EntryLock.AcquireAsync(entry.Path + ".lock", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (DarknetException e) when (e.Code == ErrorCodes.LockTimeout)
            {
                stdout.WriteLine($"busy     {name} (a build is using it; not checked)");
                busy++;
                continue;
            }
            using (held)
            {
                var before = FileIdentity.Of(entry.Path);
                var actual = FileHashes.Compute(entry.Path);
                var problem = Problem(entry, actual);
                if (problem == null)
                {
                    // Re-record the identity it was hashed with (a restored cache has new inodes): builds then trust it without hashing.
                    if (before != null && before.Equals(FileIdentity.Of(entry.Path)) && Sidecar.Read(entry.Path) is Sidecar.Record record && !record.Current)
                        Sidecar.Write(entry.Path, record.Hashes, before);
                    stdout.WriteLine($"ok       {name}");
                    ok++;
                    continue;
                }
                var removed = AtomicFile.TryDelete(entry.Path) || !File.Exists(entry.Path);
                // Without its record a damaged file that stays is hashed again before any use.
                Sidecar.Delete(entry.Path);
                damaged++;
                if (removed)
                {
                    stdout.WriteLine($"DAMAGED  {name}: {problem}; removed (the next build or `darknet fetch` gets it again)");
                    continue;
                }
                stdout.WriteLine($"DAMAGED  {name}: {problem}; not removed: open in another program; close it and run `darknet cache verify` again");
                kept++;
            }
        }
        stdout.WriteLine($"{ok} ok, {damaged} damaged" + (kept > 0 ? $" ({kept} not removed)" : " and removed") + (busy > 0 ? $", {busy} in use" : "") + $" in {root}");
        return damaged > 0 ? Program.Failed : Program.Ok;
    }

    private static string? Problem(Entry entry, FileHashes actual)
    {
        var record = Sidecar.Read(entry.Path);
        if (record != null)
        {
            if (record.Hashes.Size != actual.Size) return $"{actual.Size} bytes, recorded {record.Hashes.Size}";
            if (record.Hashes.Sha256 != actual.Sha256) return $"SHA-256 {actual.Sha256}, recorded {record.Hashes.Sha256}";
            return null;
        }
        // No record (a hand-placed file): its key says what it must be, where the key is a hash.
        var key = Path.GetFileName(Path.GetDirectoryName(entry.Path)!);
        if (key.StartsWith("sha256-", StringComparison.Ordinal) && entry.Area != "converted" && key.Substring(7) != actual.Sha256)
            return $"SHA-256 {actual.Sha256}, its key says {key.Substring(7)}";
        if (key.StartsWith("sha1-", StringComparison.Ordinal) && key.Substring(5) != actual.Sha1)
            return $"SHA-1 {actual.Sha1}, its key says {key.Substring(5)}";
        return null;
    }

    private static int Clean(string root, CommandLine line, TextWriter stdout, TextWriter stderr)
    {
        var all = line.Switches.Contains("--all");
        var olderThanText = line.Value("--older-than");
        if (all && olderThanText != null)
        {
            stderr.WriteLine($"darknet: {ErrorCodes.BadCommandLine}: cache clean: give --older-than DAYS or --all, not both");
            return Program.UsageError;
        }
        double? days = null;
        if (olderThanText != null)
        {
            if (!double.TryParse(olderThanText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || parsed < 0)
            {
                stderr.WriteLine($"darknet: {ErrorCodes.BadCommandLine}: cache clean: --older-than '{olderThanText}' is not a number of days");
                return Program.UsageError;
            }
            days = parsed;
        }

        long bytes = 0;
        int files = 0, inUse = 0;
        bool Delete(string path)
        {
            var size = File.Exists(path) ? new FileInfo(path).Length : 0;
            if (!AtomicFile.TryDelete(path)) return false;
            bytes += size;
            files++;
            return true;
        }

        // Dead runs' temps, abandoned partials and old rejected files, entry by entry under its lock.
        var busy = new HashSet<string>(StringComparer.Ordinal);
        void Busy(string entry)
        {
            if (busy.Add(entry)) stdout.WriteLine($"busy     {Relative(root, entry)} (a build is using it; kept)");
        }
        files += CacheLitter.Sweep(root, Busy);
        foreach (var entry in Entries(root))
        {
            var remove = all ||
                         entry.Kind == EntryKind.Rejected ||
                         (days.HasValue && DateTime.UtcNow - LastUsed(entry.Path) > TimeSpan.FromDays(days.Value));
            if (!remove) continue;
            var owner = OwnerOf(entry);
            if (busy.Contains(owner)) continue;
            // Without waiting: an entry a build is downloading, converting or checking stays, with its lock and partial.
            using (var held = EntryLock.TryAcquire(owner + ".lock"))
            {
                if (held == null)
                {
                    Busy(owner);
                    continue;
                }
                // Windows deletes no file another program holds open without sharing delete: that entry stays, with its record.
                if (!Delete(entry.Path) && File.Exists(entry.Path))
                {
                    stdout.WriteLine($"in use   {Relative(root, entry.Path)} (open in another program; kept)");
                    inUse++;
                    continue;
                }
                if (entry.Kind == EntryKind.Entry) Sidecar.Delete(entry.Path);
                if (entry.Kind == EntryKind.Partial) AtomicFile.TryDelete(entry.Path + ".json");
            }
        }
        // Lock files are never deleted (a build may hold one, or wait on it): a directory goes when nothing else is left in it.
        RemoveEmptyDirectories(root);
        stdout.WriteLine($"removed {files} files ({Megabytes.Format(bytes)}) from {root}" +
                         (all ? "" : days.HasValue ? $": entries not used for {days.Value.ToString(CultureInfo.InvariantCulture)} days, rejected files and litter" : ": rejected files and litter") +
                         (busy.Count + inUse > 0 ? $"; {busy.Count + inUse} in use, kept" : ""));
        return Program.Ok;
    }

    /// <summary>The entry a listed file belongs to (the one whose lock guards it): itself, or the entry of a partial or a rejected file.</summary>
    private static string OwnerOf(Entry entry) =>
        entry.Kind == EntryKind.Partial ? entry.Path.Substring(0, entry.Path.Length - CacheEntry.PartialSuffix.Length)
        : entry.Kind == EntryKind.Rejected ? entry.Path.Substring(0, entry.Path.LastIndexOf(CacheEntry.RejectedInfix, StringComparison.Ordinal))
        : entry.Path;

    private static void RemoveEmptyDirectories(string root)
    {
        foreach (var area in Areas)
        {
            var top = Path.Combine(root, area);
            if (!Directory.Exists(top)) continue;
            foreach (var directory in Directory.GetDirectories(top))
            {
                try
                {
                    if (Directory.EnumerateFileSystemEntries(directory).Any()) continue;
                    Directory.Delete(directory);
                }
                catch (IOException)
                {
                }
            }
            try
            {
                if (!Directory.EnumerateFileSystemEntries(top).Any()) Directory.Delete(top);
            }
            catch (IOException)
            {
            }
        }
    }

    internal enum EntryKind { Entry, Partial, Rejected }

    internal sealed class Entry
    {
        public Entry(string path, string area, string model, EntryKind kind)
        {
            Path = path;
            Area = area;
            Model = model;
            Kind = kind;
        }

        public string Path { get; }
        public string Area { get; }
        public string Model { get; }
        public EntryKind Kind { get; }
    }

    /// <summary>The cache's files: entries, partial downloads and rejected files (sidecars, locks, temps and the Config URL index are not entries).</summary>
    internal static IEnumerable<Entry> Entries(string root)
    {
        foreach (var area in Areas)
        {
            var top = Path.Combine(root, area);
            if (!Directory.Exists(top)) continue;
            foreach (var directory in Directory.GetDirectories(top).OrderBy(d => d, StringComparer.Ordinal))
            {
                if (area == ConfigSource.Area && Path.GetFileName(directory) == ConfigSource.IndexFolder) continue;   // which URL gave which entry
                foreach (var file in Directory.GetFiles(directory).OrderBy(f => f, StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(file);
                    if (name.EndsWith(Sidecar.Suffix, StringComparison.Ordinal) || name.EndsWith(".lock", StringComparison.Ordinal) ||
                        name.EndsWith(".dkn-tmp", StringComparison.Ordinal) || name.EndsWith(CacheEntry.PartialSuffix + ".json", StringComparison.Ordinal))
                        continue;
                    var kind = name.EndsWith(CacheEntry.PartialSuffix, StringComparison.Ordinal) ? EntryKind.Partial
                        : CacheEntry.IsRejected(file) ? EntryKind.Rejected
                        : EntryKind.Entry;
                    yield return new Entry(file, area, ModelOf(area, name, kind), kind);
                }
            }
        }
    }

    private static string ModelOf(string area, string name, EntryKind kind)
    {
        if (kind == EntryKind.Partial) name = name.Substring(0, name.Length - CacheEntry.PartialSuffix.Length);
        if (kind == EntryKind.Rejected) name = name.Substring(0, name.IndexOf(CacheEntry.RejectedInfix, StringComparison.Ordinal));
        switch (area)
        {
            case "weights":
                var models = ModelCatalog.All.Where(m => m.WeightsFileName == name).Select(m => m.Name).ToList();
                return models.Count > 0 ? string.Join(", ", models) : "(custom)";
            case "converted":
                var stem = Path.GetFileNameWithoutExtension(name);
                return ModelCatalog.All.FirstOrDefault(m => m.OutputName == stem)?.Name ?? stem;
            default:
                return "(config)";
        }
    }

    private static string KindText(EntryKind kind) => kind == EntryKind.Partial ? "partial download" : "rejected, moved aside";

    /// <summary>When a build last read or wrote the file, as far as the file system records it (its access time, else its write time).</summary>
    internal static DateTime LastUsed(string path)
    {
        var info = new FileInfo(path);
        var used = info.LastAccessTimeUtc > info.LastWriteTimeUtc ? info.LastAccessTimeUtc : info.LastWriteTimeUtc;
        return CacheEntry.IsRejected(path) ? CacheEntry.RejectedAt(path) : used;
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path);
}
