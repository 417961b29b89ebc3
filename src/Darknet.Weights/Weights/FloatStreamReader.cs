using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Darknet.Weights;

/// <summary>
/// Reads little-endian float32 values from a stream into caller-owned arrays through one reusable byte buffer,
/// so reading a 250 MB file never needs more than that buffer besides the arrays being filled.
/// </summary>
internal sealed class FloatStreamReader
{
    private const int BufferBytes = 1 << 20;

    private readonly Stream _stream;
    private readonly byte[] _buffer;

    // Bytes read ahead (ReadAhead), handed out before the stream's next bytes; a consumed chunk is let go.
    private readonly List<byte[]?> _ahead = new List<byte[]?>();
    private int _aheadChunk;
    private int _aheadOffset;
    private long _aheadBytes;

    public FloatStreamReader(Stream stream, int bufferBytes = BufferBytes)
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _buffer = new byte[Math.Max(4, bufferBytes & ~3)];
    }

    /// <summary>Floats read so far.</summary>
    public long FloatsRead { get; private set; }

    /// <summary>Whole floats read ahead and not yet handed out.</summary>
    public long FloatsAhead => _aheadBytes / 4;

    /// <summary>
    /// Reads ahead until <paramref name="floats"/> floats wait to be read, in 1 MiB chunks, so memory grows only with
    /// what the stream really delivers: a caller can make sure a layer's floats exist before it allocates the layer's
    /// arrays from a count that a cfg declares. False when the stream ended first.
    /// </summary>
    public bool ReadAhead(long floats)
    {
        long want = floats * 4;
        while (_aheadBytes < want)
        {
            int size = (int)Math.Min(BufferBytes, want - _aheadBytes);
            var chunk = new byte[size];
            int got = FillFrom(chunk, 0, size);
            if (got < size) Array.Resize(ref chunk, got);
            if (got > 0) _ahead.Add(chunk);
            _aheadBytes += got;
            if (got < size) return false;
        }
        return true;
    }

    /// <summary>Bytes after the last whole float when the stream ended inside one (0 otherwise).</summary>
    public int StrayBytes { get; private set; }

    /// <summary>
    /// Fills <paramref name="destination"/>[offset..offset+count) and returns how many floats it read:
    /// fewer than <paramref name="count"/> only when the stream ended.
    /// </summary>
    public int Read(float[] destination, int offset, int count)
    {
        int done = 0;
        while (done < count)
        {
            int want = (int)Math.Min((long)(count - done) * 4, _buffer.Length);
            int got = Fill(want);
            int floats = got / 4;
            CopyFloats(floats, destination, offset + done);
            done += floats;
            FloatsRead += floats;
            if (got < want)
            {
                StrayBytes = got % 4;
                break;
            }
        }
        return done;
    }

    /// <summary>
    /// The next <paramref name="count"/> floats (at most the buffer's 256 Ki), read into the reader's own buffer and
    /// seen in place, not copied: valid until the next call. Shorter only when the stream ended.
    /// </summary>
    public ReadOnlySpan<float> ReadInPlace(int count)
    {
        int want = checked(count * 4);
        if (want > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count), count, $"at most {_buffer.Length / 4} floats at a time");
        int got = Fill(want);
        int floats = got / 4;
        SwapIfBigEndian(floats);
        FloatsRead += floats;
        if (got < want) StrayBytes = got % 4;
        return MemoryMarshal.Cast<byte, float>(new ReadOnlySpan<byte>(_buffer, 0, floats * 4));
    }

    /// <summary>Reads to the end of the stream and returns how many whole floats were left (stray bytes go to <see cref="StrayBytes"/>).</summary>
    public long CountRemaining()
    {
        long bytes = _aheadBytes;
        DropAhead();
        int n;
        while ((n = _stream.Read(_buffer, 0, _buffer.Length)) > 0) bytes += n;
        StrayBytes = (int)(bytes % 4);
        return bytes / 4;
    }

    private int Fill(int count)
    {
        int total = 0;
        while (total < count && _aheadBytes > 0)
        {
            var chunk = _ahead[_aheadChunk]!;
            int n = Math.Min(count - total, chunk.Length - _aheadOffset);
            Buffer.BlockCopy(chunk, _aheadOffset, _buffer, total, n);
            total += n;
            _aheadOffset += n;
            _aheadBytes -= n;
            if (_aheadOffset == chunk.Length)
            {
                _ahead[_aheadChunk++] = null;
                _aheadOffset = 0;
            }
        }
        if (_aheadBytes == 0) DropAhead();
        return total + FillFrom(_buffer, total, count - total);
    }

    private int FillFrom(byte[] buffer, int offset, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = _stream.Read(buffer, offset + total, count - total);
            if (n <= 0) break;
            total += n;
        }
        return total;
    }

    private void DropAhead()
    {
        _ahead.Clear();
        _aheadChunk = 0;
        _aheadOffset = 0;
        _aheadBytes = 0;
    }

    private void CopyFloats(int floats, float[] destination, int at)
    {
        SwapIfBigEndian(floats);
        Buffer.BlockCopy(_buffer, 0, destination, at * 4, floats * 4);
    }

    private void SwapIfBigEndian(int floats)
    {
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < floats * 4; i += 4)
            {
                byte b0 = _buffer[i], b1 = _buffer[i + 1];
                _buffer[i] = _buffer[i + 3];
                _buffer[i + 1] = _buffer[i + 2];
                _buffer[i + 2] = b1;
                _buffer[i + 3] = b0;
            }
        }
    }
}
