using System;
using System.IO;

namespace Darknet.Weights.Numpy;

/// <summary>float32 values to and from little-endian bytes ('&lt;f4'), whatever the machine's byte order.</summary>
internal static class FloatBytes
{
    public const int ChunkBytes = 64 * 1024;

    /// <summary>The writers' buffer (one per writer): 1 MiB writes a 248 MB output in about 240 calls rather than 3,800.</summary>
    public const int WriteChunkBytes = 1024 * 1024;

    /// <summary>Writes the first <paramref name="length"/> values (of a reused, larger array).</summary>
    public static void Write(Stream output, float[] values, int length, byte[] buffer) =>
        Write(output, new ReadOnlySpan<float>(values, 0, length), buffer);

    /// <summary>Writes the values through <paramref name="buffer"/> (a multiple of 4 bytes) so no copy of the whole array is made.</summary>
    public static void Write(Stream output, ReadOnlySpan<float> values, byte[] buffer)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values);
#if NET
        if (BitConverter.IsLittleEndian)
        {
            // The floats' own bytes, a buffer's length at a time: no copy in user space (a copy is a
            // measurable share of a conversion's CPU), and a stream that only overrides Write(byte[]) rents no more than a buffer's length.
            for (int at = 0; at < bytes.Length; at += buffer.Length)
                output.Write(bytes.Slice(at, Math.Min(buffer.Length, bytes.Length - at)));
            return;
        }
#endif
        for (int at = 0; at < bytes.Length; at += buffer.Length)
        {
            int count = Math.Min(buffer.Length, bytes.Length - at);
            bytes.Slice(at, count).CopyTo(buffer);
            if (!BitConverter.IsLittleEndian) SwapEvery4(buffer, 0, count);
            output.Write(buffer, 0, count);
        }
    }

    /// <summary>Reads float32 values stored little-endian (<paramref name="bigEndian"/>: stored '&gt;f4').</summary>
    public static float[] ToFloats(byte[] bytes, int offset, int count, bool bigEndian)
    {
        var values = new float[count];
        if (bigEndian == !BitConverter.IsLittleEndian)
        {
            Buffer.BlockCopy(bytes, offset, values, 0, count * 4);
            return values;
        }
        var swapped = new byte[count * 4];
        Buffer.BlockCopy(bytes, offset, swapped, 0, swapped.Length);
        SwapEvery4(swapped, 0, swapped.Length);
        Buffer.BlockCopy(swapped, 0, values, 0, swapped.Length);
        return values;
    }

    public static void SwapEvery4(byte[] b, int offset, int length)
    {
        for (int i = offset; i + 3 < offset + length; i += 4)
        {
            byte t = b[i]; b[i] = b[i + 3]; b[i + 3] = t;
            t = b[i + 1]; b[i + 1] = b[i + 2]; b[i + 2] = t;
        }
    }
}
