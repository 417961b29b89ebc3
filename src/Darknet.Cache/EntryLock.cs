using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Cache;

/// <summary>
/// A cross-process lock over one cache entry: a lock file held open with FileShare.None.
/// On Windows that is a sharing lock; on Unix .NET takes flock(LOCK_EX), which also excludes other FileStreams
/// in the same process and any other process (including the flock(1) tool).
/// <c>await EntryLock.AcquireAsync(lockPath, timeout, pollInterval, ct)</c>; Dispose releases it.
/// Lock files are left in place on release: deleting them would let two processes lock two different inodes.
/// </summary>
public sealed class EntryLock : IDisposable
{
    private readonly FileStream _stream;

    private EntryLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    public string Path { get; }

    public static async Task<EntryLock> AcquireAsync(string lockPath, TimeSpan timeout, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(lockPath);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var clock = Stopwatch.StartNew();
        var recreated = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                return new EntryLock(stream, lockPath);
            }
            catch (Exception e) when (WriteFailure.IsNotWritable(e))
            {
                // EROFS, EACCES: no passing state (lock files are never deleted), so fail now instead of waiting.
                throw new DarknetException(ErrorCodes.CacheUnusable,
                    "Cannot open the cache lock file " + lockPath + ": " + e.Message +
                    " Set DARKNET_CACHE_DIR or DarknetCacheDir to a writable directory.", e);
            }
            catch (DirectoryNotFoundException) when (!string.IsNullOrEmpty(directory) && recreated++ < 3)
            {
                // Its directory was removed since (a concurrent clean of the last file in it): nobody holds a lock there.
                Directory.CreateDirectory(directory!);
                continue;
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                // Held by another build (or another thread of this one): wait for it.
            }
            catch (IOException e)
            {
                throw new DarknetException(ErrorCodes.LockTimeout,
                    "Timed out after " + Describe(timeout) + " waiting for the cache lock file " + lockPath +
                    ", held by another build that is downloading or converting the same file. If no other build is running, " +
                    "delete that lock file and build again.", e);
            }
            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The lock if nobody holds it, else null at once (never waits): for sweeps and `darknet cache clean`, which skip a
    /// busy entry. DKN4012 when the lock file cannot be created or opened (a read-only cache).
    /// </summary>
    public static EntryLock? TryAcquire(string lockPath)
    {
        try
        {
            return AcquireAsync(lockPath, TimeSpan.Zero, TimeSpan.Zero, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (DarknetException e) when (e.Code == ErrorCodes.LockTimeout)
        {
            return null;
        }
    }

    public void Dispose() => _stream.Dispose();

    private static string Describe(TimeSpan time) =>
        time.TotalSeconds >= 120 ? Math.Round(time.TotalMinutes, 1) + " minutes" : Math.Round(time.TotalSeconds, 1) + " seconds";
}
