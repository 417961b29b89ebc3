using Darknet.Weights;

namespace Darknet.Weights.Tests.Conversion;

/// <summary>
/// Deterministic stand-in for a real .weights file: a header, then float i = <see cref="At"/>(seed, i).
/// The value of any position is computable on its own (murmur3's 32-bit finaliser over the index), so tests spot-check
/// positions without holding the file, and numpy regenerates the same floats vectorised (see <see cref="PythonFunction"/>).
/// Every value is k·2⁻²⁴ − 0.5, exact in float32.
/// </summary>
public static class SyntheticWeights
{
    public const uint DefaultSeed = 0x5EED;

    public static float At(uint seed, long index)
    {
        uint x = unchecked((uint)index * 0x9E3779B1u + seed);
        x ^= x >> 16;
        x = unchecked(x * 0x85EBCA6Bu);
        x ^= x >> 13;
        x = unchecked(x * 0xC2B2AE35u);
        x ^= x >> 16;
        return (float)((x >> 8) / 16777216.0 - 0.5);
    }

    /// <summary>The same generator in numpy: <c>synthetic(seed, start, count)</c> returns float32 values.</summary>
    public const string PythonFunction = """
        def synthetic(seed, start, count):
            x = (np.arange(start, start + count, dtype=np.uint64) & 0xFFFFFFFF).astype(np.uint32)
            x = x * np.uint32(0x9E3779B1) + np.uint32(seed)
            x ^= x >> np.uint32(16)
            x = x * np.uint32(0x85EBCA6B)
            x ^= x >> np.uint32(13)
            x = x * np.uint32(0xC2B2AE35)
            x ^= x >> np.uint32(16)
            return ((x >> np.uint32(8)).astype(np.float64) / 16777216.0 - 0.5).astype(np.float32)
        """;

    public static byte[] Header(int major = 0, int minor = 2, int revision = 0, long seen = 32013312)
    {
        var longSeen = WeightsHeader.HasLongSeen(major, minor);
        var bytes = new byte[longSeen ? 20 : 16];
        BitConverter.GetBytes(major).CopyTo(bytes, 0);
        BitConverter.GetBytes(minor).CopyTo(bytes, 4);
        BitConverter.GetBytes(revision).CopyTo(bytes, 8);
        if (longSeen) BitConverter.GetBytes(seen).CopyTo(bytes, 12);
        else BitConverter.GetBytes((int)seen).CopyTo(bytes, 12);
        return bytes;
    }

    /// <summary>A header then <paramref name="floatCount"/> synthetic floats, generated as it is read (nothing held).</summary>
    public static Stream Open(long floatCount, byte[]? header = null, uint seed = DefaultSeed, bool seekable = true, int extraBytes = 0)
        => new SyntheticWeightsStream(header ?? Header(), floatCount, seed, seekable, extraBytes);

    public static void WriteFile(string path, long floatCount, byte[]? header = null, uint seed = DefaultSeed, int extraBytes = 0)
    {
        using var source = Open(floatCount, header, seed, extraBytes: extraBytes);
        using var file = File.Create(path);
        source.CopyTo(file, 1 << 20);
    }
}

/// <summary>Generates header + synthetic floats (+ optional zero bytes) on read. Non-seekable mode hides its length, like a pipe.</summary>
internal sealed class SyntheticWeightsStream : Stream
{
    private readonly byte[] _header;
    private readonly long _floatCount;
    private readonly uint _seed;
    private readonly bool _seekable;
    private readonly long _length;
    private long _position;

    public SyntheticWeightsStream(byte[] header, long floatCount, uint seed, bool seekable, int extraBytes)
    {
        _header = header;
        _floatCount = floatCount;
        _seed = seed;
        _seekable = seekable;
        _length = header.Length + floatCount * 4 + extraBytes;
    }

    public override bool CanRead => true;
    public override bool CanSeek => _seekable;
    public override bool CanWrite => false;
    public override long Length => _seekable ? _length : throw new NotSupportedException();

    public override long Position
    {
        get => _seekable ? _position : throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = (int)Math.Min(count, _length - _position);
        Span<byte> bytes = stackalloc byte[4];
        for (int k = 0; k < n; k++)
        {
            long p = _position + k;
            if (p < _header.Length) buffer[offset + k] = _header[p];
            else
            {
                long body = p - _header.Length;
                long index = body / 4;
                if (index >= _floatCount) { buffer[offset + k] = 0; continue; }
                // Whole floats at a time where possible.
                if (body % 4 == 0 && k + 4 <= n)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(offset + k, 4), SyntheticWeights.At(_seed, index));
                    k += 3;
                }
                else
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes, SyntheticWeights.At(_seed, index));
                    buffer[offset + k] = bytes[(int)(body % 4)];
                }
            }
        }
        _position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
