using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Darknet.Weights;

/// <summary>
/// One array of a fixed capacity that the file writers' layers take their weights from in turn: layers are written in
/// the order they are read, so each takes the slice after the last one taken (or, if that would run past the end, the
/// one at the start) and the writer frees the oldest. The converter's weight memory is then this array, however many
/// sizes of layer a network has: no layer's array is left to the garbage collector, whose timing decided how many of a
/// big network's layers stayed resident. A layer fits while its slice overlaps no slice still taken; the capacity is at
/// least the largest layer, which always fits once the others are written. Only for sinks that are done with a layer
/// when Write returns and read its values as <see cref="Tensor.Values"/> (the .npy, .npz and safetensors writers).
/// </summary>
internal sealed class WeightRing : IWeightMemory
{
    private readonly int _capacity;
    private readonly Queue<(int Start, int Length)> _taken = new Queue<(int, int)>();
    private readonly object _lock = new object();
    private float[]? _values;
    private int _end; // where the newest slice taken ends

    public WeightRing(long capacity)
    {
        if (capacity < 0 || capacity > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "0 to 2^31-1 floats");
        _capacity = (int)capacity;
    }

    public bool Fits(long floats)
    {
        lock (_lock) return floats <= _capacity && StartFor(floats) >= 0;
    }

    public Memory<float> Take(int length)
    {
        if (length == 0) return Memory<float>.Empty;
        lock (_lock)
        {
            if (length > _capacity)
                throw new InvalidOperationException($"a layer of {length} floats does not fit a ring of {_capacity}");
            int start = StartFor(length);
            if (start < 0) throw new InvalidOperationException($"no room for {length} floats: Take before Fits said so");
            _values ??= NewArray(_capacity);
            _taken.Enqueue((start, length));
            _end = start + length;
            return new Memory<float>(_values, start, length);
        }
    }

    public Tensor Wrap(int[] shape, Memory<float> values) => new Tensor(shape, (ReadOnlyMemory<float>)values);

    public void Release(LayerParameters written)
    {
        if (written.Weights == null || !MemoryMarshal.TryGetArray(written.Weights.Values, out var slice) || slice.Array != _values)
            return; // a layer without weights, or values that are not from this ring
        lock (_lock)
        {
            var oldest = _taken.Count > 0 ? _taken.Peek() : (Start: -1, Length: 0);
            if (oldest.Start != slice.Offset || oldest.Length != slice.Count)
                throw new InvalidOperationException("weights released out of the order they were taken");
            _taken.Dequeue();
        }
    }

    /// <summary>Where a slice of <paramref name="length"/> floats would start now, or -1 while it overlaps one still taken.</summary>
    private int StartFor(long length)
    {
        if (_taken.Count == 0) return 0;
        int oldest = _taken.Peek().Start;
        if (_end > oldest) // the slices taken run from oldest to _end: room after them, else before them
        {
            if (_capacity - _end >= length) return _end;
            return oldest >= length ? 0 : -1;
        }
        return oldest - _end >= length ? _end : -1; // wrapped: room between the newest and the oldest
    }

    private static float[] NewArray(int length)
    {
#if NET
        return GC.AllocateUninitializedArray<float>(length);
#else
        return new float[length];
#endif
    }
}
