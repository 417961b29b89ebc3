#if NET
using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Darknet.Weights;

/// <summary>
/// <see cref="WeightTransposition.AddRows"/> with SSE, which every x64 CPU has (so a native AOT build, whose baseline has
/// no AVX, runs the same code): 4 output channels by 4 file positions at a time, transposed in registers. Written by
/// hand because no library transposes a strided block into permuted rows, and this scatter was the conversion's largest
/// cost (figures in docs/benchmarks.md; an AVX 8x8 version gains nothing on a whole conversion, where the writing thread
/// sets the pace).
/// The loops go file position by file position with the output channels innermost, so each destination page is reached
/// once per block of positions rather than once per few channels (they are out*4 bytes apart: the TLB was the limit).
/// </summary>
internal static class SimdTransposition
{
    public static bool IsSupported => Sse.IsSupported;

    /// <summary>
    /// Places <paramref name="rowCount"/> output channels (each in*plane floats, darknet's order) starting at channel
    /// <paramref name="firstRow"/> of a (plane, in, out) destination. The caller checked every bound.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void AddRows(ReadOnlySpan<float> rows, int rowCount, Span<float> destination, int firstRow,
                                      int outChannels, int inChannels, int plane)
    {
        int rowLength = inChannels * plane;
        int fullRows = rowCount & ~3;
        fixed (float* sourceStart = rows)
        fixed (float* destinationStart = destination)
        {
            float* source = sourceStart, target = destinationStart + firstRow;
            int i = 0, p = 0;
            int k = 0;
            for (; k + 4 <= rowLength; k += 4)
            {
                float* d0 = target + Next(ref i, ref p, plane, inChannels, outChannels), d1 = target + Next(ref i, ref p, plane, inChannels, outChannels);
                float* d2 = target + Next(ref i, ref p, plane, inChannels, outChannels), d3 = target + Next(ref i, ref p, plane, inChannels, outChannels);
                float* s = source + k;
                int r = 0;
                for (; r < fullRows; r += 4, s += 4 * rowLength)
                {
                    var a0 = Sse.LoadVector128(s);
                    var a1 = Sse.LoadVector128(s + rowLength);
                    var a2 = Sse.LoadVector128(s + 2 * rowLength);
                    var a3 = Sse.LoadVector128(s + 3 * rowLength);
                    var t0 = Sse.UnpackLow(a0, a1);
                    var t1 = Sse.UnpackHigh(a0, a1);
                    var t2 = Sse.UnpackLow(a2, a3);
                    var t3 = Sse.UnpackHigh(a2, a3);
                    Sse.Store(d0 + r, Sse.MoveLowToHigh(t0, t2));
                    Sse.Store(d1 + r, Sse.MoveHighToLow(t2, t0));
                    Sse.Store(d2 + r, Sse.MoveLowToHigh(t1, t3));
                    Sse.Store(d3 + r, Sse.MoveHighToLow(t3, t1));
                }
                for (; r < rowCount; r++, s += rowLength)
                {
                    d0[r] = s[0]; d1[r] = s[1]; d2[r] = s[2]; d3[r] = s[3];
                }
            }
            for (; k < rowLength; k++)
            {
                float* d = target + Next(ref i, ref p, plane, inChannels, outChannels), s = source + k;
                for (int r = 0; r < rowCount; r++, s += rowLength) d[r] = *s;
            }
        }
    }

    /// <summary>The destination offset of file position (i, p) (row p*in + i, times out), then the next position in file order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Next(ref int i, ref int p, int plane, int inChannels, int outChannels)
    {
        long at = ((long)p * inChannels + i) * outChannels;
        if (++p == plane)
        {
            p = 0;
            i++;
        }
        return at;
    }
}
#endif
