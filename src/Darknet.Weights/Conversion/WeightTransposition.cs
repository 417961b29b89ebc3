using System;

namespace Darknet.Weights;

/// <summary>
/// Places darknet's weights, as they arrive in file order (out, in, h, w), at their (h, w, in, out) positions:
/// numpy's <c>transpose(2, 3, 1, 0)</c>, C-contiguous. Fed chunk by chunk, so no copy of the raw layer is ever held.
/// A connected layer's (outputs, inputs) matrix is the same walk with h = w = 1, giving (inputs, outputs).
/// </summary>
internal sealed class WeightTransposition
{
    private readonly Memory<float> _destination;
    private readonly int _outChannels;
    private readonly int _inChannels;
    private readonly int _plane;
    private readonly int _stride;
    private int _o, _i, _p, _at;

    public WeightTransposition(Memory<float> destination, int outChannels, int inChannels, int height, int width)
    {
        if (destination.Length < (long)outChannels * inChannels * height * width)
            throw new ArgumentException($"a {outChannels}x{inChannels}x{height}x{width} layer does not fit in {destination.Length} floats", nameof(destination));
        _destination = destination;
        _outChannels = outChannels;
        _inChannels = inChannels;
        _plane = height * width;
        _stride = inChannels * outChannels;
    }

    /// <summary>Takes the next values of the file order.</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        var destination = _destination.Span;
        for (int k = 0; k < values.Length; k++)
        {
            // (o, i, p) lands at p*in*out + i*out + o: walk the h*w plane with a stride of in*out.
            destination[_at] = values[k];
            _at += _stride;
            if (++_p < _plane) continue;
            _p = 0;
            if (++_i == _inChannels)
            {
                _i = 0;
                _o++;
            }
            _at = _i * _outChannels + _o;
        }
    }

    /// <summary>
    /// Takes the next <paramref name="rowCount"/> whole output channels (each in*h*w values, file order) from
    /// <paramref name="rows"/>; only at a channel boundary (after whole rows). Cache-blocked: for each (h, w, in) it
    /// writes the block's output channels side by side, so each destination line is fetched once per block rather
    /// than once per channel. That scatter was most of a conversion's CPU time.
    /// </summary>
    // MethodImplOptions.AggressiveOptimization (512; not in netstandard2.0's enum): fully optimised at once, no tier-0 pass.
    [System.Runtime.CompilerServices.MethodImpl((System.Runtime.CompilerServices.MethodImplOptions)512)]
    public void AddRows(ReadOnlySpan<float> rows, int rowCount)
    {
        if (_i != 0 || _p != 0) throw new InvalidOperationException("AddRows needs to start at an output channel boundary");
        int rowLength = _inChannels * _plane;
        if (rowCount < 0 || _o + rowCount > _outChannels || rows.Length < (long)rowCount * rowLength)
            throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, "more output channels than the rows hold or the layer has left");
        int o0 = _o;
#if NET
        if (SimdTransposition.IsSupported)
        {
            SimdTransposition.AddRows(rows, rowCount, _destination.Span, o0, _outChannels, _inChannels, _plane);
            _o += rowCount;
            _at = _o;
            return;
        }
#endif
        var destination = _destination.Span;
        for (int p = 0; p < _plane; p++)
        {
            for (int i = 0; i < _inChannels; i++)
            {
                int at = (p * _inChannels + i) * _outChannels + o0;
                int from = i * _plane + p;
                for (int r = 0; r < rowCount; r++, from += rowLength) destination[at + r] = rows[from];
            }
        }
        _o += rowCount;
        _at = _o;
    }

    /// <summary>The whole (out, in, h, w) array at once (only its first out*in*h*w values are read).</summary>
    public static float[] ConvToHwio(float[] source, int outChannels, int inChannels, int height, int width)
    {
        var result = new float[(long)outChannels * inChannels * height * width];
        new WeightTransposition(result, outChannels, inChannels, height, width).Add(new ReadOnlySpan<float>(source, 0, result.Length));
        return result;
    }

    /// <summary>A (rows, cols) C-order matrix to (cols, rows).</summary>
    public static float[] Matrix(float[] source, int rows, int cols) => ConvToHwio(source, rows, cols, 1, 1);
}
