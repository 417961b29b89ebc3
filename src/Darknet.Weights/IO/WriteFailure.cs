using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace Darknet.Weights.IO;

/// <summary>
/// The one place that turns an operating-system write failure into its own code: a full disk (or quota) is
/// <see cref="ErrorCodes.DiskFull"/> with how much to free, a read-only file system a <see cref="ErrorCodes.FileAccessFailed"/>
/// that names the final file rather than its temp. Used by <see cref="AtomicFile"/>, so the CLI and the build get the same.
/// </summary>
internal static class WriteFailure
{
    // .NET puts errno in HResult on Unix and the Win32 error (as 0x8007xxxx) on Windows; the numbers collide across
    // systems (0x70 = 112 is EHOSTDOWN on Linux), so each is checked on its own system only.
    private const int ENOSPC = 28, EROFS = 30, EDQUOT_LINUX = 122, EDQUOT_MAC = 69;
    private const int ERROR_HANDLE_DISK_FULL = 0x27, ERROR_DISK_FULL = 0x70, ERROR_WRITE_PROTECT = 0x13;
    private const int ERROR_SHARING_VIOLATION = 0x20, ERROR_LOCK_VIOLATION = 0x21, ERROR_UNABLE_TO_REMOVE_REPLACED = 0x497,
        ERROR_UNABLE_TO_MOVE_REPLACEMENT = 0x498;

    /// <summary>A full disk or quota: in <paramref name="error"/> or any exception it wraps (also when only quoted in a message).</summary>
    public static bool IsDiskFull(Exception? error)
    {
        for (var e = error; e != null; e = e.InnerException)
        {
            if (e is IOException io && IsDiskFullCode(io)) return true;
            if (e.Message.IndexOf("No space left on device", StringComparison.OrdinalIgnoreCase) >= 0) return true;
        }
        return false;
    }

    /// <summary>Nothing can be written there: a read-only file system or no permission, in <paramref name="error"/> or what it wraps.</summary>
    public static bool IsNotWritable(Exception? error)
    {
        for (var e = error; e != null; e = e.InnerException)
        {
            if (e is UnauthorizedAccessException) return true;
            if (e is IOException io && IsReadOnlyFileSystem(io)) return true;
        }
        return false;
    }

    private static bool IsDiskFullCode(IOException e)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            var code = e.HResult & 0xFFFF;
            return (e.HResult & 0xFFFF0000) == 0x80070000 && (code == ERROR_DISK_FULL || code == ERROR_HANDLE_DISK_FULL);
        }
        if (e.HResult == ENOSPC) return true;
        if (e.HResult == (RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? EDQUOT_MAC : EDQUOT_LINUX)) return true;
        // Older runtimes (Mono under MSBuild) keep the message but not the errno.
        return e.Message.IndexOf("No space left on device", StringComparison.OrdinalIgnoreCase) >= 0 ||
               e.Message.IndexOf("Disk quota exceeded", StringComparison.OrdinalIgnoreCase) >= 0;
    }

    /// <summary>Windows only: another process has the file open without sharing delete, so it can be neither replaced nor deleted.</summary>
    public static bool IsInUse(Exception e)
    {
        if (!(e is IOException) || !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || (e.HResult & 0xFFFF0000) != 0x80070000) return false;
        var code = e.HResult & 0xFFFF;
        return code == ERROR_SHARING_VIOLATION || code == ERROR_LOCK_VIOLATION || code == ERROR_UNABLE_TO_REMOVE_REPLACED ||
               code == ERROR_UNABLE_TO_MOVE_REPLACEMENT;
    }

    private static bool IsReadOnlyFileSystem(IOException e) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? e.HResult == unchecked((int)0x80070000) + ERROR_WRITE_PROTECT
            : e.HResult == EROFS || e.Message.IndexOf("Read-only file system", StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>
    /// The coded error for a failed write (an IOException or UnauthorizedAccessException) of <paramref name="finalPath"/> (the temp already deleted), or null when the
    /// failure has no better explanation than its own message.
    /// </summary>
    public static DarknetException? Explain(Exception e, string finalPath, long? expectedLength)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(finalPath)) ?? ".";
        if (e is UnauthorizedAccessException)
            return new DarknetException(ErrorCodes.FileAccessFailed,
                $"cannot write {finalPath}: permission denied (files cannot be created in {folder}, or the file is read-only)", e);
        if (!(e is IOException io)) return null;
        if (IsDiskFullCode(io))
        {
            var free = FreeBytes(folder);
            string need;
            if (expectedLength.HasValue && free.HasValue)
                need = string.Format(CultureInfo.InvariantCulture, "it needs {0} and {1} are free there: free at least {2}",
                    Megabytes.RoundedUp(expectedLength.Value), Megabytes.RoundedUp(free.Value), Megabytes.RoundedUp(Math.Max(1_000_000, expectedLength.Value - free.Value)));
            else if (expectedLength.HasValue)
                need = "it needs " + Megabytes.RoundedUp(expectedLength.Value) + ": free that much";
            else if (free.HasValue)
                need = Megabytes.RoundedUp(free.Value) + " are free there: free more";
            else
                need = "free some space";
            return new DarknetException(ErrorCodes.DiskFull,
                $"disk full while writing {finalPath}; {need}, or write it elsewhere (darknet convert --out; DARKNET_CACHE_DIR for builds).",
                e);
        }
        if (IsReadOnlyFileSystem(io))
            return new DarknetException(ErrorCodes.FileAccessFailed,
                $"cannot write {finalPath}: {folder} is on a read-only file system", e);
        if (IsInUse(io))
            return new DarknetException(ErrorCodes.FileAccessFailed,
                $"cannot replace {finalPath}: another program has it open (Windows does not replace a file in use). " +
                "Close what holds it (the app that loaded it, a viewer, an antivirus scan) and run again, or write elsewhere.", e);
        return null;
    }

    /// <summary>
    /// A full disk under a build (the cache, a conversion into it, obj/): <see cref="ErrorCodes.CacheDiskFull"/>, whose fix is
    /// the cache's place. <paramref name="target"/> is the file being written, or null when no one file is known.
    /// </summary>
    public static DarknetException UnderBuild(Exception e, string? target)
    {
        var cause = e.Message;
        for (var inner = e; inner != null; inner = inner.InnerException)
            if (inner is IOException) { cause = inner.Message; break; }
        var where = target is null ? "" : " while writing " + target;
        return new DarknetException(ErrorCodes.CacheDiskFull,
            "No space left on the device" + where + ": " + cause + " Free some space, or set DARKNET_CACHE_DIR to a cache on a larger disk.", e);
    }

    private static long? FreeBytes(string folder)
    {
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException || e is ArgumentException || e is UnauthorizedAccessException)
        {
            return null;
        }
    }
}
