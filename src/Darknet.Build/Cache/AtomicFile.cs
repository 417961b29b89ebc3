using System;
using System.IO;

namespace Darknet.Build.Cache
{
    /// <summary>Small file helpers for atomic publishing: rename a finished temp file over its final name.</summary>
    internal static class AtomicFile
    {
        public static void MoveOver(string tempPath, string finalPath)
        {
#if NETFRAMEWORK
            // .NET Framework has no File.Move(overwrite); callers hold the entry lock, so delete-then-move does not race.
            if (File.Exists(finalPath)) File.Delete(finalPath);
            File.Move(tempPath, finalPath);
#else
            File.Move(tempPath, finalPath, overwrite: true);
#endif
        }

        public static void WriteAllText(string finalPath, string text)
        {
            var temp = finalPath + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            try
            {
                File.WriteAllText(temp, text);
                MoveOver(temp, finalPath);
            }
            finally
            {
                TryDelete(temp);
            }
        }

        public static void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path)) File.Delete(path);
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
