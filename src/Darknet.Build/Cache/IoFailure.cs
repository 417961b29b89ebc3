using System;
using System.IO;

namespace Darknet.Build.Cache
{
    /// <summary>
    /// What an I/O exception (or one it wraps) says about the file system: full (ENOSPC, ERROR_DISK_FULL) or not writable
    /// (EROFS, EACCES, a write-protected volume). .NET on Unix puts the errno in <see cref="Exception.HResult"/>.
    /// </summary>
    internal static class IoFailure
    {
        private const int UnixNoSpace = 28, UnixReadOnly = 30;
        private const int WindowsDiskFull = 112, WindowsHandleDiskFull = 39, WindowsWriteProtect = 19;

        public static bool IsDiskFull(Exception? error)
        {
            for (var e = error; e != null; e = e.InnerException)
            {
                // strerror(ENOSPC), also when a layer above quoted it in a message of its own.
                if (e.Message.IndexOf("No space left on device", StringComparison.OrdinalIgnoreCase) >= 0) return true;
                if (!(e is IOException)) continue;
                var code = e.HResult & 0xFFFF;
                if (code == WindowsDiskFull || code == WindowsHandleDiskFull) return true;
                if (e.HResult == UnixNoSpace && !IsWindows) return true;
                if (e.Message.IndexOf("No space left", StringComparison.OrdinalIgnoreCase) >= 0 ||
                    e.Message.IndexOf("not enough space on the disk", StringComparison.OrdinalIgnoreCase) >= 0) return true;
            }
            return false;
        }

        public static bool IsReadOnly(Exception? error)
        {
            for (var e = error; e != null; e = e.InnerException)
            {
                if (e is UnauthorizedAccessException) return true;
                if (!(e is IOException)) continue;
                if (e.HResult == UnixReadOnly && !IsWindows) return true;
                if ((e.HResult & 0xFFFF) == WindowsWriteProtect && IsWindows) return true;
                if (e.Message.IndexOf("Read-only file system", StringComparison.OrdinalIgnoreCase) >= 0) return true;
            }
            return false;
        }

        private static bool IsWindows => Path.DirectorySeparatorChar == '\\';
    }
}
