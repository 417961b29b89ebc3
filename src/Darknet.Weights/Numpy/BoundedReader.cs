using System;
using System.Collections.Generic;
using System.IO;

namespace Darknet.Weights.Numpy;

/// <summary>
/// Reads a stream while counting the offset, and never allocates from a length a file declares: a length is checked
/// against what remains (when that is known) and capped, and from a stream of unknown length the buffer grows only
/// as bytes really arrive. A short read is a clear "truncated" error, never an EndOfStream trace.
/// </summary>
internal sealed class BoundedReader
{
    private const int FirstChunk = 1 << 20;

    private readonly Stream _input;
    private readonly long? _end;
    private readonly byte[] _small = new byte[8];
    private readonly MappedResource? _mapped;

    /// <param name="knownLength">The stream's length from its position, when it is known (seekable, or a zip entry's size).</param>
    /// <param name="startOffset">Where the stream's position is in the file, for the offsets in messages.</param>
    /// <param name="mapped">The embedded resource <paramref name="input"/> is the stream of, when array data may view it.</param>
    public BoundedReader(Stream input, string sourceName, string truncatedCode, long? knownLength, long startOffset = 0, MappedResource? mapped = null)
    {
        if (mapped != null && !ReferenceEquals(mapped.Stream, input)) throw new ArgumentException("a view is only made of the stream being read", nameof(mapped));
        _input = input;
        _mapped = mapped;
        SourceName = sourceName;
        TruncatedCode = truncatedCode;
        Offset = startOffset;
        _end = startOffset + knownLength;
    }

    public string SourceName { get; }

    public string TruncatedCode { get; }

    public long Offset { get; private set; }

    public static BoundedReader For(Stream input, string sourceName, string truncatedCode, long startOffset, MappedResource? mapped = null) =>
        new BoundedReader(input, sourceName, truncatedCode, input.CanSeek ? input.Length - input.Position : (long?)null, startOffset, mapped);

    public int ReadByte(string what)
    {
        int b = _input.ReadByte();
        if (b < 0) throw Truncated(what, 1, 0);
        Offset++;
        return b;
    }

    /// <summary>Reads up to 8 bytes into a shared buffer (valid until the next call).</summary>
    public byte[] ReadSmall(int count, string what)
    {
        int got = Fill(_small, 0, count);
        if (got < count) throw Truncated(what, count, got);
        return _small;
    }

    public byte[] ReadExactly(long count, string what)
    {
        CheckLength(count, what);
        if (_end.HasValue || count <= FirstChunk)
        {
            var bytes = new byte[count];
            int got = Fill(bytes, 0, (int)count);
            if (got < count) throw Truncated(what, count, got);
            return bytes;
        }
        return ReadGrowing((int)count, what);
    }

    /// <summary>
    /// Reads little-endian float32 values straight into a float[] through a small buffer, so a large array is never
    /// held twice (once as bytes, once as floats). Same length checks as <see cref="ReadExactly"/>.
    /// </summary>
    public float[] ReadFloatsLittleEndian(long byteCount, string what)
    {
        if (byteCount % 4 != 0) throw new ArgumentException("not a whole number of floats", nameof(byteCount));
        CheckLength(byteCount, what);
        long count = byteCount / 4;
        var values = new float[_end.HasValue || byteCount <= FirstChunk ? count : FirstChunk / 4];
        var chunk = new byte[(int)Math.Min(FloatBytes.ChunkBytes, Math.Max(4, byteCount))];
        long done = 0;
        while (done < count)
        {
            if (done == values.Length)
            {
                var bigger = new float[Math.Min(count, (long)values.Length * 2)];
                Array.Copy(values, bigger, done);
                values = bigger;
            }
            int want = (int)Math.Min(chunk.Length / 4, values.Length - done) * 4;
            int got = Fill(chunk, 0, want);
            if (got < want) throw Truncated(what, byteCount, done * 4 + got);
            if (!BitConverter.IsLittleEndian) FloatBytes.SwapEvery4(chunk, 0, got);
            Buffer.BlockCopy(chunk, 0, values, (int)(done * 4), got);
            done += got / 4;
        }
        return values;
    }

    /// <summary>
    /// Takes little-endian float32 array data as a view of the embedded resource this reader reads, after the same
    /// length checks as <see cref="ReadFloatsLittleEndian"/>; false (nothing read) when there is no resource or the
    /// platform needs a copy: then read the data with <see cref="ReadFloatsLittleEndian"/>.
    /// </summary>
    public bool TryViewFloatsLittleEndian(long byteCount, string what, out ReadOnlyMemory<float> view)
    {
        view = default;
        if (_mapped == null) return false;
        if (byteCount % 4 != 0) throw new ArgumentException("not a whole number of floats", nameof(byteCount));
        CheckLength(byteCount, what);
        if (!_mapped.TryTakeFloats(byteCount, out view)) return false;
        Offset += byteCount;
        return true;
    }

    /// <summary>A text line ending in '\n' (GLOBAL's module and name), at most <paramref name="maxLength"/> bytes.</summary>
    public string ReadLine(int maxLength, string what)
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = ReadByte(what);
            if (b == '\n') break;
            if (bytes.Count >= maxLength) throw new DarknetException(ErrorCodes.MalformedPickle, $"{SourceName}: {what} at offset {Offset} is longer than {maxLength} bytes");
            bytes.Add((byte)b);
        }
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }


    private void CheckLength(long count, string what)
    {
        if (count < 0 || count > Float32Arrays.MaxBytes)
            throw new DarknetException(TruncatedCode, $"{SourceName}: {what} at offset {Offset} declares {count} bytes, more than this reader accepts (2 GiB)");
        if (_end.HasValue && count > _end.Value - Offset)
            throw new DarknetException(TruncatedCode, $"{SourceName} is truncated or corrupt: {what} at offset {Offset} declares {count} bytes but only {_end.Value - Offset} remain");
    }

    private byte[] ReadGrowing(int count, string what)
    {
        var buffer = new byte[FirstChunk];
        int got = 0;
        while (got < count)
        {
            if (got == buffer.Length)
            {
                var bigger = new byte[(int)Math.Min(count, (long)buffer.Length * 2)];
                Buffer.BlockCopy(buffer, 0, bigger, 0, got);
                buffer = bigger;
            }
            int n = Fill(buffer, got, Math.Min(buffer.Length, count) - got);
            if (n == 0) throw Truncated(what, count, got);
            got += n;
        }
        return buffer;
    }

    private int Fill(byte[] buffer, int offset, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = _input.Read(buffer, offset + total, count - total);
            if (n <= 0) break;
            total += n;
        }
        Offset += total;
        return total;
    }

    private DarknetException Truncated(string what, long wanted, long got) =>
        new DarknetException(TruncatedCode, $"{SourceName} is truncated: it ends inside {what} at offset {Offset} ({got} of {wanted} bytes present)");
}
