using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace Darknet.Weights.IO;

/// <summary>
/// The one temp-file naming scheme of the project (CLI output, cache entries, sidecars, obj/ copies):
/// <c>.&lt;final name&gt;.&lt;pid&gt;-&lt;random&gt;.dkn-tmp</c> beside the final file, so the rename stays on one volume and
/// every cleanup recognises what a killed run left. A temp belongs to a dead run when its process is gone, or when it is
/// older than <see cref="MaxAge"/> (a process id may be reused).
/// </summary>
internal static class TempFiles
{
    public const string Suffix = ".dkn-tmp";

    /// <summary>No single write (a 250 MB conversion, a copy) takes this long; an older temp is litter whoever made it.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    private static readonly int ProcessId = CurrentProcessId();

    /// <summary>A fresh temp path beside <paramref name="finalPath"/>.</summary>
    public static string PathFor(string finalPath)
    {
        var full = Path.GetFullPath(finalPath);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var name = "." + Path.GetFileName(full) + "." + ProcessId.ToString(CultureInfo.InvariantCulture) + "-" +
                   Guid.NewGuid().ToString("N").Substring(0, 8) + Suffix;
        return Path.Combine(directory, name);
    }

    public static bool IsTemp(string fileName) =>
        fileName.StartsWith(".", StringComparison.Ordinal) && fileName.EndsWith(Suffix, StringComparison.Ordinal);

    /// <summary>
    /// Deletes the temps in <paramref name="directory"/> left by runs that are gone (all of them for
    /// <paramref name="finalName"/> when given and <paramref name="evenLive"/>: the caller holds that entry's lock,
    /// so no one else can be writing one). Never throws: cleanup must not fail a build.
    /// </summary>
    public static int DeleteOrphans(string directory, string? finalName = null, bool evenLive = false)
    {
        var deleted = 0;
        string[] candidates;
        try
        {
            if (!Directory.Exists(directory)) return 0;
            var pattern = finalName == null ? "*" + Suffix : "." + finalName + ".*" + Suffix;
            candidates = Directory.GetFiles(directory, pattern);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return 0;
        }
        foreach (var path in candidates)
        {
            var name = Path.GetFileName(path);
            if (!IsTemp(name)) continue;
            if (!evenLive && !IsOrphan(path, name)) continue;
            if (AtomicFile.TryDelete(path)) deleted++;
        }
        return deleted;
    }

    private static bool IsOrphan(string path, string name)
    {
        try
        {
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > MaxAge) return true;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return false;
        }
        var owner = OwnerOf(name);
        return owner.HasValue && owner.Value != ProcessId && !IsRunning(owner.Value);
    }

    /// <summary>The process id in a temp's name, or null when the name does not carry one.</summary>
    internal static int? OwnerOf(string name)
    {
        var end = name.Length - Suffix.Length;
        var dash = name.LastIndexOf('-', end - 1);
        if (dash < 0) return null;
        var dot = name.LastIndexOf('.', dash);
        if (dot < 0) return null;
        return int.TryParse(name.Substring(dot + 1, dash - dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : (int?)null;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using (var process = Process.GetProcessById(pid))
                return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static int CurrentProcessId()
    {
        using (var self = Process.GetCurrentProcess())
            return self.Id;
    }
}
