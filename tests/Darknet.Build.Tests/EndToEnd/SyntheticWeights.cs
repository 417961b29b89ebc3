using System.Security.Cryptography;
using Darknet.Weights.Models;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// A .weights file of a built-in model's exact size: a 20-byte header (version 0.2.0, seen 0) and seeded random floats.
/// Real pre-trained files are not downloadable here, and only the size and layout matter to the pipeline.
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

    public static SyntheticWeights ForBuiltIn(string model, int seed = 1)
    {
        var builtIn = ModelCatalog.Find(model) ?? throw new InvalidOperationException("no built-in model " + model);
        return new SyntheticWeights(builtIn.WeightsFileName, Create(builtIn.WeightsSize, seed));
    }

    public static SyntheticWeights OfSize(string fileName, long size, int seed = 1) => new(fileName, Create(size, seed));

    private static byte[] Create(long size, int seed)
    {
        var bytes = new byte[size];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), 0);   // major
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), 2);   // minor: 0.2 and up has a 64-bit "seen"
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 4), 0);   // revision
        BitConverter.TryWriteBytes(bytes.AsSpan(12, 8), 0L); // seen
        var random = new Random(seed);
        for (long i = 20; i + 4 <= size; i += 4)
            BitConverter.TryWriteBytes(bytes.AsSpan((int)i, 4), (float)(random.NextDouble() * 2 - 1));
        return bytes;
    }
}
