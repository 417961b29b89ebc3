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
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        CommandLine line;
        try
        {
            line = CommandLine.Parse(args, new[] { "--cache", "--older-than", "--model", "--sha256" }, new[] { "--all" });
            if (line.Words.Count > 0 && line.Words[0] == "key") return Key(line, stdout, stderr);
            if (line.Words.Count != 1) throw new CommandLineException("expected one of path, list, verify, clean, key");
            if (line.Value("--model") != null || line.Value("--sha256") != null)
                throw new CommandLineException("--model and --sha256 belong to `darknet cache key`");
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

    private static int Key(CommandLine line, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return CacheKeyCommand.Run(line, stdout);
        }
        catch (DarknetException e)
        {
            stderr.WriteLine($"darknet: {e.Code}: {e.Message}");
            return Program.Failed;
        }
    }

    private static int List(string root, TextWriter stdout)
    {
        var items = new MachineCache(root).Items().ToList();
        var rows = new List<string[]> { new[] { "FILE", "MODEL", "SIZE", "SHA-256", "LAST USED" } };
        long total = 0;
        foreach (var item in items)
        {
            var info = new FileInfo(item.Path);
            total += info.Length;
            rows.Add(new[]
            {
                Relative(root, item.Path),
                ModelOf(item),
                Megabytes.Format(info.Length),
                item.Kind != CacheItemKind.Entry ? "(" + KindText(item.Kind) + ")" : Sidecar.Read(item.Path)?.Hashes.Sha256 ?? "(not verified yet)",
                LastUsed(item.Path).ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            });
        }
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            stdout.WriteLine(string.Join("  ", row.Select((cell, c) => c == 4 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        stdout.WriteLine($"{items.Count} files, {Megabytes.Format(total)} in {root}");
        return Program.Ok;
    }

    /// <summary>Re-hashes every entry as the cache checks it; what fails is treated as a build treats it (removed, or moved aside when placed by hand).</summary>
    private static int Verify(string root, TextWriter stdout)
    {
        var cache = new MachineCache(root) { LockTimeout = TimeSpan.FromSeconds(2), LockPollInterval = TimeSpan.FromMilliseconds(100) };
        int ok = 0, damaged = 0, movedAside = 0, busy = 0, kept = 0;
        foreach (var entry in cache.Items().Where(e => e.Kind == CacheItemKind.Entry).ToList())
        {
            var name = Relative(root, entry.Path);
            (string Damage, bool MovedAside, bool Kept)? problem;
            try
            {
                problem = cache.Check(entry);
            }
            catch (DarknetException e) when (e.Code == ErrorCodes.LockTimeout)
            {
                stdout.WriteLine($"busy     {name} (a build is using it; not checked)");
                busy++;
                continue;
            }
            if (problem == null)
            {
                stdout.WriteLine($"ok       {name}");
                ok++;
                continue;
            }
            if (problem.Value.MovedAside) movedAside++;
            else damaged++;
            // Windows deletes no file another program holds open without sharing delete.
            var stayed = problem.Value.Kept;
            if (stayed) kept++;
            stdout.WriteLine($"DAMAGED  {name}: {problem.Value.Damage}" + (stayed ? "" : " (the next build or `darknet fetch` gets it again)"));
        }
        stdout.WriteLine($"{ok} ok, {damaged} damaged" + (kept > 0 ? $" ({kept} not removed)" : " and removed") +
                         (movedAside > 0 ? $", {movedAside} placed by hand, failed and moved aside" : "") +
                         (busy > 0 ? $", {busy} in use" : "") + $" in {root}");
        return damaged + movedAside > 0 ? Program.Failed : Program.Ok;
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

        var cache = new MachineCache(root);
        long bytes = 0;
        int files = 0, inUse = 0;
        var busy = new HashSet<string>(StringComparer.Ordinal);
        void Busy(string entry)
        {
            if (busy.Add(entry)) stdout.WriteLine($"busy     {Relative(root, entry)} (a build is using it; kept)");
        }
        files += cache.DeleteLitter(Busy);
        foreach (var item in cache.Items().ToList())
        {
            var remove = all ||
                         item.Kind == CacheItemKind.Rejected ||
                         (days.HasValue && DateTime.UtcNow - LastUsed(item.Path) > TimeSpan.FromDays(days.Value));
            if (!remove || busy.Contains(item.EntryPath)) continue;
            var removed = cache.TryRemove(item, out var size);
            if (removed == null)
            {
                Busy(item.EntryPath);
                continue;
            }
            if (removed == true)
            {
                bytes += size;
                files++;
                continue;
            }
            // Windows deletes no file another program holds open without sharing delete: it stays, with its record.
            stdout.WriteLine($"in use   {Relative(root, item.Path)} (open in another program; kept)");
            inUse++;
        }
        cache.RemoveEmptyFolders();
        stdout.WriteLine($"removed {files} files ({Megabytes.Format(bytes)}) from {root}" +
                         (all ? "" : days.HasValue ? $": entries not used for {days.Value.ToString(CultureInfo.InvariantCulture)} days, rejected files and litter" : ": rejected files and litter") +
                         (busy.Count + inUse > 0 ? $"; {busy.Count + inUse} in use, kept" : ""));
        return Program.Ok;
    }

    private static string ModelOf(CacheItem item)
    {
        var name = item.EntryName;
        switch (item.Area)
        {
            case CacheLayout.WeightsArea:
                var models = ModelCatalog.All.Where(m => m.WeightsFileName == name).Select(m => m.Name).ToList();
                return models.Count > 0 ? string.Join(", ", models) : "(custom)";
            case CacheLayout.ConvertedArea:
                var stem = Path.GetFileNameWithoutExtension(name);
                return ModelCatalog.All.FirstOrDefault(m => m.OutputName == stem)?.Name ?? stem;
            default:
                return "(config)";
        }
    }

    private static string KindText(CacheItemKind kind) => kind == CacheItemKind.Partial ? "partial download" : "rejected, moved aside";

    /// <summary>When a build last read or wrote the file, as far as the file system records it (its access time, else its write time).</summary>
    internal static DateTime LastUsed(string path)
    {
        var info = new FileInfo(path);
        var used = info.LastAccessTimeUtc > info.LastWriteTimeUtc ? info.LastAccessTimeUtc : info.LastWriteTimeUtc;
        return CacheLayout.IsRejected(path) ? CacheLayout.RejectedAt(path) : used;
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path);
}
