using System.Security.Cryptography;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;

namespace Darknet.Testing;

/// <summary>
/// The one maker of .weights files for tests. Three kinds: <see cref="Open"/>/<see cref="WriteFile"/> stream a header then
/// float i = <see cref="At"/>(seed, i); <see cref="ForBuiltIn"/>/<see cref="OfSize"/> hold a file of an exact size in memory
/// with its SHA-256 (for downloads and builds, where only the size and layout matter); <see cref="WriteCalibrated"/> writes
/// a network's weights scaled for unit-size activations (for comparisons with darknet and OpenCV).
/// The value of any position is computable on its own (murmur3's 32-bit finaliser over the index), so tests spot-check
/// positions without holding the file, and numpy regenerates the same floats vectorised (see <see cref="PythonFunction"/>).
/// Every value is k·2⁻²⁴ − 0.5, exact in float32.
/// </summary>
public sealed class SyntheticWeights
{
    private SyntheticWeights(string fileName, byte[] bytes)
    {
        FileName = fileName;
        Bytes = bytes;
        Sha256 = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
    }

    public string FileName { get; }
    public byte[] Bytes { get; }
    public string Sha256 { get; }

    /// <summary>A file of <paramref name="model"/>'s exact published size: a 20-byte header (0.2.0, seen 0), then seeded floats.</summary>
    public static SyntheticWeights ForBuiltIn(string model, int seed = 1)
    {
        var builtIn = ModelCatalog.Find(model) ?? throw new InvalidOperationException("no built-in model " + model);
        return new SyntheticWeights(builtIn.WeightsFileName, InMemory(builtIn.WeightsSize, seed));
    }

    public static SyntheticWeights OfSize(string fileName, long size, int seed = 1) => new(fileName, InMemory(size, seed));

    private static byte[] InMemory(long size, int seed)
    {
        var bytes = new byte[size];
        using var source = Open((size - 20) / 4, Header(0, 2, 0, seen: 0), unchecked((uint)seed), extraBytes: (int)((size - 20) % 4));
        source.ReadExactly(bytes);
        return bytes;
    }

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

    /// <summary>
    /// The weights of <paramref name="layout"/>, in darknet's order, scaled for unit-size activations: each conv or
    /// connected weight uniform with variance 1/fan-in, batch-norm γ in [0.5, 1.5], β and mean in [−0.1, 0.1], variance in
    /// [0.5, 1.5] (far above darknet's .000001, so where an implementation adds its epsilon does not show).
    /// </summary>
    internal static void WriteCalibrated(string path, NetworkLayout layout, int seed)
    {
        var random = new Random(seed);
        using var file = new BufferedStream(File.Create(path), 1 << 20);
        file.Write(Header(0, 2, 0));
        var chunk = new float[1 << 16];
        void Uniform(int count, double low, double high)
        {
            while (count > 0)
            {
                int n = Math.Min(count, chunk.Length);
                for (int i = 0; i < n; i++) chunk[i] = (float)(low + (high - low) * random.NextDouble());
                file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chunk.AsSpan(0, n)));
                count -= n;
            }
        }
        void BatchNorm(int n, bool withBeta)
        {
            if (withBeta) Uniform(n, -0.1, 0.1);
            Uniform(n, 0.5, 1.5);  // gamma
            Uniform(n, -0.1, 0.1); // mean
            Uniform(n, 0.5, 1.5);  // variance
        }
        foreach (var layer in layout.WeightedLayers)
        {
            switch (layer.Type)
            {
                case LayerType.Convolutional:
                {
                    int n = layer.Filters;
                    int fanIn = layer.InputChannels / Math.Max(1, layer.Groups) * layer.Size * layer.Size;
                    if (layer.BatchNormalize) BatchNorm(n, withBeta: true);
                    else Uniform(n, -0.5, 0.5);
                    var a = Math.Sqrt(3.0 / fanIn);
                    Uniform(n * fanIn, -a, a);
                    break;
                }
                case LayerType.Connected:
                {
                    Uniform(layer.Filters, -0.5, 0.5);
                    var a = Math.Sqrt(3.0 / layer.Inputs);
                    Uniform(layer.Filters * layer.Inputs, -a, a);
                    if (layer.BatchNormalize) BatchNorm(layer.Filters, withBeta: false);
                    break;
                }
                case LayerType.BatchNorm:
                    BatchNorm(layer.OutputChannels, withBeta: false);
                    break;
                default:
                    throw new NotSupportedException(layer.ToString());
            }
        }
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
