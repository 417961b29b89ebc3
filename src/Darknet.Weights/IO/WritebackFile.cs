using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Darknet.Weights.IO;

/// <summary>
/// A new file being written to be published (<see cref="AtomicFile"/>, the machine cache's entries): a
/// <see cref="FileStream"/> that, on Linux, asks the kernel to start writing back every <see cref="WritebackStep"/>
/// bytes as soon as they are written (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>, which does not wait), so the
/// <see cref="FlushToDisk"/> before the rename waits only for the tail instead of the whole file (figures in
/// docs/benchmarks.md). Elsewhere, or where the call is refused, it is a plain FileStream.
/// </summary>
internal sealed class WritebackFile : Stream
{
    /// <summary>How much is written between two writeback requests: large enough to cost a handful of calls per file.</summary>
    public const long WritebackStep = 16L << 20;

    private const uint SYNC_FILE_RANGE_WRITE = 2;

    private static bool _supported = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

    private readonly FileStream _file;
    private long _dirtyFrom = long.MaxValue;
    private long _dirtyTo;

    private WritebackFile(FileStream file) => _file = file;

    /// <summary>
    /// Creates <paramref name="path"/>, which must not exist yet (a temp name is never reused). <paramref name="reserve"/>
    /// (bytes, at most the final length) is set aside before the first write where the runtime can (.NET on Linux:
    /// fallocate, keeping the length 0): the writes then fill blocks already allocated instead of each reserving its own,
    /// a large share of the writing thread's time otherwise.
    /// </summary>
    public static WritebackFile CreateNew(string path, long reserve = 0)
    {
#if NET
        if (reserve > 0)
        {
            try
            {
                return new WritebackFile(new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16,
                    PreallocationSize = reserve,
                }));
            }
            catch (IOException) when (!File.Exists(path))
            {
                // The reservation failed (the runtime deleted the file; its message carries no errno): write without one,
                // so a full disk fails at the write with the errno WriteFailure explains.
            }
        }
#endif
        return new WritebackFile(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16));
    }

    /// <summary>Writes what is buffered and waits until the whole file is on disk (fsync): durability before the rename.</summary>
    public void FlushToDisk() => _file.Flush(flushToDisk: true);

    public override void Write(byte[] buffer, int offset, int count)
    {
        long at = _file.Position;
        _file.Write(buffer, offset, count);
        Written(at, count);
    }

#if NET
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        long at = _file.Position;
        _file.Write(buffer);
        Written(at, buffer.Length);
    }
#endif

    private void Written(long at, int count)
    {
        if (!_supported) return;
        _dirtyFrom = Math.Min(_dirtyFrom, at);
        _dirtyTo = Math.Max(_dirtyTo, at + count);
        if (_dirtyTo - _dirtyFrom >= WritebackStep) StartWriteback();
    }

    public override void WriteByte(byte value) => Write(new[] { value }, 0, 1);

    private void StartWriteback()
    {
        _file.Flush(); // what FileStream still buffers reaches the kernel first
        long from = _dirtyFrom, length = _dirtyTo - _dirtyFrom;
        _dirtyFrom = long.MaxValue;
        _dirtyTo = 0;
        var handle = _file.SafeFileHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            // Only a request: a failure here (ENOSYS in a sandbox, an odd file system) costs speed, never data, since
            // FlushToDisk still fsyncs; real write errors surface from write() and fsync as they would without the writeback requests.
            if (SyncFileRange(handle.DangerousGetHandle().ToInt32(), from, length, SYNC_FILE_RANGE_WRITE) != 0) _supported = false;
        }
        catch (Exception e) when (e is EntryPointNotFoundException || e is DllNotFoundException)
        {
            _supported = false;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static extern int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    public override void Flush() => _file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override void SetLength(long value) => _file.SetLength(value);

    public override bool CanRead => false;

    public override bool CanSeek => _file.CanSeek;

    public override bool CanWrite => true;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }
}
