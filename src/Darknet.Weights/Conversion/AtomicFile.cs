using System;
using System.IO;

namespace Darknet.Weights
{
    /// <summary>
    /// Writes a file through a temporary file beside it (<c>.name.tmp-guid</c>, same directory so the rename stays on one
    /// volume), flushed to disk and renamed over the target only when the writer returns; on any failure the temporary
    /// file is deleted and the target is untouched.
    /// </summary>
    internal static class AtomicFile
    {
        public static void Write(string path, Action<Stream> write)
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full) ?? ".";
            Directory.CreateDirectory(directory);
            var temp = Path.Combine(directory, "." + Path.GetFileName(full) + ".tmp-" + Guid.NewGuid().ToString("N"));
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                Replace(temp, full);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }

        private static void Replace(string source, string destination)
        {
            if (!File.Exists(destination))
            {
                File.Move(source, destination);
                return;
            }
            try
            {
                // An atomic rename over the old file (rename(2) on Unix, ReplaceFile on Windows).
                File.Replace(source, destination, destinationBackupFileName: null);
            }
            catch (PlatformNotSupportedException)
            {
                File.Delete(destination);
                File.Move(source, destination);
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
