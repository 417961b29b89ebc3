#if NET
using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Darknet.Weights
{
    /// <summary>
    /// <see cref="WeightTransposition.AddRows"/> with x86 vectors: 8 output channels by 8 file positions at a time with AVX,
    /// 4 by 4 with SSE (every x64 CPU, and what a native AOT build may assume), transposed in registers. Written by hand
    /// because no library transposes a strided block into permuted rows, and this scatter was the conversion's largest
    /// cost (yolov3's 3x3 layers: 2.0 ns per float before, 0.9 with AVX; 1x1 layers 3.0 to 0.6). The loops go file
    /// position by file position with the output channels innermost, so each destination page is reached once per block
    /// of positions rather than once per few channels (they are out*4 bytes apart: the TLB was the limit).
    /// </summary>
    internal static class SimdTransposition
    {
        public static bool IsSupported => Sse.IsSupported;

        /// <summary>
        /// Places <paramref name="rowCount"/> output channels (each in*plane floats, darknet's order) starting at channel
        /// <paramref name="firstRow"/> of a (plane, in, out) destination, with the widest vectors the CPU has. The caller
        /// checked every bound.
        /// </summary>
        public static void AddRows(ReadOnlySpan<float> rows, int rowCount, Span<float> destination, int firstRow,
                                   int outChannels, int inChannels, int plane)
        {
            if (Avx.IsSupported) AddRowsAvx(rows, rowCount, destination, firstRow, outChannels, inChannels, plane);
            else AddRowsSse(rows, rowCount, destination, firstRow, outChannels, inChannels, plane);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static unsafe void AddRowsAvx(ReadOnlySpan<float> rows, int rowCount, Span<float> destination, int firstRow,
                                          int outChannels, int inChannels, int plane)
        {
            int rowLength = inChannels * plane;
            int fullRows = rowCount & ~7;
            fixed (float* sourceStart = rows)
            fixed (float* destinationStart = destination)
            {
                float* source = sourceStart, target = destinationStart + firstRow;
                int i = 0, p = 0; // position k = i*plane + p goes to destination row p*in + i
                int k = 0;
                for (; k + 8 <= rowLength; k += 8)
                {
                    float* d0 = target + Next(ref i, ref p, plane, inChannels, outChannels), d1 = target + Next(ref i, ref p, plane, inChannels, outChannels);
                    float* d2 = target + Next(ref i, ref p, plane, inChannels, outChannels), d3 = target + Next(ref i, ref p, plane, inChannels, outChannels);
                    float* d4 = target + Next(ref i, ref p, plane, inChannels, outChannels), d5 = target + Next(ref i, ref p, plane, inChannels, outChannels);
                    float* d6 = target + Next(ref i, ref p, plane, inChannels, outChannels), d7 = target + Next(ref i, ref p, plane, inChannels, outChannels);
                    float* s = source + k;
                    int r = 0;
                    for (; r < fullRows; r += 8, s += 8 * rowLength)
                    {
                        var a0 = Avx.LoadVector256(s);
                        var a1 = Avx.LoadVector256(s + rowLength);
                        var a2 = Avx.LoadVector256(s + 2 * rowLength);
                        var a3 = Avx.LoadVector256(s + 3 * rowLength);
                        var a4 = Avx.LoadVector256(s + 4 * rowLength);
                        var a5 = Avx.LoadVector256(s + 5 * rowLength);
                        var a6 = Avx.LoadVector256(s + 6 * rowLength);
                        var a7 = Avx.LoadVector256(s + 7 * rowLength);
                        var t0 = Avx.UnpackLow(a0, a1);
                        var t1 = Avx.UnpackHigh(a0, a1);
                        var t2 = Avx.UnpackLow(a2, a3);
                        var t3 = Avx.UnpackHigh(a2, a3);
                        var t4 = Avx.UnpackLow(a4, a5);
                        var t5 = Avx.UnpackHigh(a4, a5);
                        var t6 = Avx.UnpackLow(a6, a7);
                        var t7 = Avx.UnpackHigh(a6, a7);
                        var u0 = Avx.Shuffle(t0, t2, 0x44);
                        var u1 = Avx.Shuffle(t0, t2, 0xEE);
                        var u2 = Avx.Shuffle(t1, t3, 0x44);
                        var u3 = Avx.Shuffle(t1, t3, 0xEE);
                        var u4 = Avx.Shuffle(t4, t6, 0x44);
                        var u5 = Avx.Shuffle(t4, t6, 0xEE);
                        var u6 = Avx.Shuffle(t5, t7, 0x44);
                        var u7 = Avx.Shuffle(t5, t7, 0xEE);
                        Avx.Store(d0 + r, Avx.Permute2x128(u0, u4, 0x20));
                        Avx.Store(d1 + r, Avx.Permute2x128(u1, u5, 0x20));
                        Avx.Store(d2 + r, Avx.Permute2x128(u2, u6, 0x20));
                        Avx.Store(d3 + r, Avx.Permute2x128(u3, u7, 0x20));
                        Avx.Store(d4 + r, Avx.Permute2x128(u0, u4, 0x31));
                        Avx.Store(d5 + r, Avx.Permute2x128(u1, u5, 0x31));
                        Avx.Store(d6 + r, Avx.Permute2x128(u2, u6, 0x31));
                        Avx.Store(d7 + r, Avx.Permute2x128(u3, u7, 0x31));
                    }
                    for (; r < rowCount; r++, s += rowLength)
                    {
                        d0[r] = s[0]; d1[r] = s[1]; d2[r] = s[2]; d3[r] = s[3];
                        d4[r] = s[4]; d5[r] = s[5]; d6[r] = s[6]; d7[r] = s[7];
                    }
                }
                for (; k < rowLength; k++)
                {
                    float* d = target + Next(ref i, ref p, plane, inChannels, outChannels), s = source + k;
                    for (int r = 0; r < rowCount; r++, s += rowLength) d[r] = *s;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static unsafe void AddRowsSse(ReadOnlySpan<float> rows, int rowCount, Span<float> destination, int firstRow,
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
}
#endif
