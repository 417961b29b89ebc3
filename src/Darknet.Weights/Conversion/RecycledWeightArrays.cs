using System;
using System.Runtime.InteropServices;

namespace Darknet.Weights;

/// <summary>
/// Hands a written layer's weight array to a later layer of exactly the same size, so darknet's repeating blocks
/// (1x1 then 3x3, again and again) reuse two arrays instead of leaving a large-object-heap array behind per layer.
/// Only for the ONNX writer, which is done with a layer when Write returns and reads weights as arrays; a caller's sink
/// may keep what it gets (disabled: fresh arrays). Taken on the <see cref="LayerPipeline"/>'s thread, released on the
/// writer's: locked. The pipeline's float budget bounds the layers alive; the two arrays kept here come on top.
/// </summary>
internal sealed class RecycledWeightArrays : IWeightMemory
{
    private readonly bool _enabled;
    private float[]? _newer;
    private float[]? _older;
    private readonly object _lock = new object();

    public RecycledWeightArrays(bool enabled) => _enabled = enabled;

    /// <summary>An array of <paramref name="length"/> floats; a recycled one holds old values, so the caller overwrites all of it.</summary>
    public float[] Take(int length)
    {
        lock (_lock) return TakeLocked(length);
    }

    bool IWeightMemory.Fits(long floats) => true;

    Memory<float> IWeightMemory.Take(int length) => Take(length);

    Tensor IWeightMemory.Wrap(int[] shape, Memory<float> values)
    {
        if (!MemoryMarshal.TryGetArray<float>(values, out var array) || array.Offset != 0 || array.Count != array.Array!.Length)
            throw new ArgumentException("not an array from Take", nameof(values));
        return new Tensor(shape, array.Array);
    }

    private float[] TakeLocked(int length)
    {
        if (_newer != null && _newer.Length == length)
        {
            var taken = _newer;
            _newer = null;
            return taken;
        }
        if (_older != null && _older.Length == length)
        {
            var taken = _older;
            _older = null;
            return taken;
        }
        return new float[length];
    }

    /// <summary>The sink has written this layer: its weights may be reused (the oldest kept array is let go).</summary>
    public void Release(LayerParameters written)
    {
        if (!_enabled || written.Weights == null) return;
        lock (_lock)
        {
            _older = _newer ?? _older;
            _newer = written.Weights.Data;
        }
    }
}
