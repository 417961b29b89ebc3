using Darknet.Weights;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Numpy;

/// <summary>
/// Deterministic float32 test values that the Python side computes too: bits(i) = (i * 2654435761 + seed) mod 2^32 with
/// bit 30 cleared (no Inf/NaN), so every mantissa and sign shows up and comparisons are bit-exact.
/// </summary>
internal static class TestLayers
{
    public const string PythonValues = """
        import numpy as np
        def values(seed, shape):
            n = int(np.prod(shape, dtype=np.int64))
            i = np.arange(n, dtype=np.uint64)
            bits = ((i * np.uint64(2654435761) + np.uint64(seed)) % np.uint64(2**32)).astype(np.uint32) & np.uint32(0xBFFFFFFF)
            return bits.view(np.float32).reshape(shape)
        def same(a, b):
            return a.dtype == np.float32 and a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))

        """;

    public static Tensor Values(int seed, params int[] shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        var data = new float[n];
        for (long i = 0; i < n; i++)
        {
            uint bits = unchecked((uint)(i * 2654435761L + seed)) & 0xBFFFFFFFu;
            data[i] = BitConverter.Int32BitsToSingle(unchecked((int)bits));
        }
        return new Tensor(shape, data);
    }

    /// <summary>A conv with batch norm, a conv with biases, a [batchnorm] (no weights), a connected layer, a large conv.</summary>
    public static List<LayerParameters> Sample() => new()
    {
        new LayerParameters("conv_1", Values(1, 3, 3, 3, 4), null, new[] { Values(2, 4), Values(3, 4), Values(4, 4), Values(5, 4) }),
        new LayerParameters("conv_2", Values(6, 1, 1, 4, 5), Values(7, 5), null),
        new LayerParameters("batchnorm_3", null, null, new[] { Values(8, 5), Values(9, 5), Values(10, 5), Values(11, 5) }),
        new LayerParameters("connected_4", Values(12, 7, 3), Values(13, 3), null),
        new LayerParameters("conv_big", Values(14, 3, 3, 64, 300), null, new[] { Values(15, 300), Values(16, 300), Values(17, 300), Values(18, 300) }),
    };

    /// <summary>The same layers as a Python dict literal built with values(): what np.save of the seed's dict would hold.</summary>
    public const string PythonSample = """
        def bn(a, b, c, d, n):
            return [values(a, (n,)), values(b, (n,)), values(c, (n,)), values(d, (n,))]
        expected = {
            'conv_1': {'weights': values(1, (3, 3, 3, 4)), 'bn': bn(2, 3, 4, 5, 4)},
            'conv_2': {'weights': values(6, (1, 1, 4, 5)), 'biases': values(7, (5,))},
            'batchnorm_3': {'bn': bn(8, 9, 10, 11, 5)},
            'connected_4': {'weights': values(12, (7, 3)), 'biases': values(13, (3,))},
            'conv_big': {'weights': values(14, (3, 3, 64, 300)), 'bn': bn(15, 16, 17, 18, 300)},
        }

        """;

    public static byte[] Write(OutputFormat format, IEnumerable<LayerParameters> layers)
    {
        var ms = new MemoryStream();
        using (var sink = Darknet.Weights.Numpy.LayerSinks.Create(format, ms, leaveOpen: true))
        {
            foreach (var l in layers) sink.Write(l);
            sink.Complete();
        }
        return ms.ToArray();
    }

    public static string TempFile(string extension)
    {
        var dir = Path.Combine(Path.GetTempPath(), "darknet-numpy-tests");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, Guid.NewGuid().ToString("N") + extension);
    }
}
