using System;
using System.IO;

namespace Darknet.Weights.IO;

/// <summary>
/// The one way a finished file appears under its final name: written to a <see cref="TempFiles"/> temp beside it,
/// flushed to disk, checked by the caller, then renamed over the target. On any failure the temp is deleted and the
/// target is untouched. Only a regular file is ever replaced: a directory, device, FIFO, socket or symlink at the
/// target is refused before anything is written.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>; the file appears only when it returns. A full disk
    /// is <see cref="ErrorCodes.DiskFull"/> (<paramref name="expectedLength"/>, when known, says how much to free).
    /// </summary>
    public static void Write(string path, Action<Stream> write, long? expectedLength = null)
    {
        var full = Path.GetFullPath(path);
        RefuseToReplace(full);
        var temp = TempFiles.PathFor(full);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full) ?? ".");
            using (var stream = WritebackFile.CreateNew(temp, expectedLength ?? 0))
            {
                write(stream);
                stream.FlushToDisk();
            }
            Publish(temp, full);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            // The temp goes first: a full disk's free space is measured without it.
            TryDelete(temp);
            var explained = WriteFailure.Explain(e, full, expectedLength);
            if (explained == null) throw;
            throw explained;
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>Deletes a file if it is there; false when it was not, or could not be deleted.</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            if (!File.Exists(path)) return false;
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            var bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
        });

    /// <summary>
    /// Renames a finished temp over <paramref name="finalPath"/> (atomic on one volume). Only a regular file is ever
    /// replaced: a directory, device, FIFO, socket or symlink there is refused (<see cref="RefuseToReplace"/>).
    /// </summary>
    public static void Publish(string tempPath, string finalPath)
    {
        RefuseToReplace(finalPath);
        if (!File.Exists(finalPath))
        {
            File.Move(tempPath, finalPath);
            return;
        }
        try
        {
            // rename(2) on Unix, ReplaceFile on Windows: readers see the old file or the new one, never a mix.
            File.Replace(tempPath, finalPath, destinationBackupFileName: null);
        }
        catch (PlatformNotSupportedException)
        {
            File.Delete(finalPath);
            File.Move(tempPath, finalPath);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="path"/> is missing or a regular file. rename(2) replaces whatever the name points
    /// at: run as root, a rename onto /dev/null puts a regular file where the device was; onto a symlink it replaces
    /// the link, not the file it names. Where the file type cannot be read (<see cref="FileKind.Unknown"/>: statx
    /// blocked by a container's seccomp filter, an unusual Unix) only paths under /dev are refused: refusing every
    /// existing file would stop each rebuild from replacing its own outputs.
    /// </summary>
    internal static void RefuseToReplace(string path)
    {
        var full = Path.GetFullPath(path);
        var status = FileStatus.Of(full, followLinks: false);
        switch (status.Kind)
        {
            case FileKind.Directory:
                throw new DarknetException(ErrorCodes.FileAccessFailed,
                    $"the output path is a directory: {full} (give a file name, e.g. {Path.Combine(full, "model.npy")})");
            case FileKind.SymbolicLink:
                throw new DarknetException(ErrorCodes.OutputNotARegularFile,
                    $"the output path is a symbolic link, not a regular file: {full} (it is not replaced: give the path it points to, or remove the link)");
            case FileKind.Other:
                throw NotRegular(full, status.TypeName);
            case FileKind.Unknown when full.StartsWith("/dev/", StringComparison.Ordinal):
                throw NotRegular(full, status.TypeName);
        }
    }

    private static DarknetException NotRegular(string full, string typeName) =>
        new DarknetException(ErrorCodes.OutputNotARegularFile,
            $"the output path is {typeName}, not a regular file: {full} (only regular files are written, never a device or pipe: give a file path)");
}
