using System;

namespace Darknet.Weights;

/// <summary>A C-contiguous float32 array with its shape.</summary>
internal sealed class Tensor
{
    private readonly float[]? _data;
    private readonly ReadOnlyMemory<float> _view;

    public Tensor(int[] shape, float[] data)
    {
        CheckCount(shape, data.Length);
        Shape = shape;
        _data = data;
    }

    /// <summary>
    /// Values the tensor does not own: a view of an embedded resource (ModelFile.Load(Assembly, name)), or of the
    /// converter's <see cref="WeightRing"/>, whose writers read them through <see cref="Values"/>.
    /// </summary>
    public Tensor(int[] shape, ReadOnlyMemory<float> view)
    {
        CheckCount(shape, view.Length);
        Shape = shape;
        _view = view;
    }

    public int[] Shape { get; }

    /// <summary>The values as an array; a view (see the second constructor) has none.</summary>
    public float[] Data => _data ?? throw new InvalidOperationException("this tensor views memory it does not own: read it through Values");

    /// <summary>The values, whether held in an array or viewed in place.</summary>
    public ReadOnlyMemory<float> Values => _data ?? _view;

    public string ShapeText => "(" + string.Join(", ", Shape) + (Shape.Length == 1 ? ",)" : ")");

    private static void CheckCount(int[] shape, int length)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count != length)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {count} values, data has {length}");
    }
}
