using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Darknet.Weights;

/// <summary>
/// A read-only float32 array in C order (the last dimension varies fastest), as numpy holds it. <see cref="Span"/>
/// and <see cref="Memory"/> view the values the reader loaded; neither copies them. An array of a model loaded from
/// an embedded resource (<see cref="ModelFile.Load(System.Reflection.Assembly, string)"/>) may view the resource's
/// memory in the assembly's image: it is read-only (writing through <c>MemoryMarshal</c> would fault), and it stays
/// valid while this array or its <see cref="Memory"/> is reachable; keep one of them alive while you use a
/// <see cref="Span"/> of it.
/// </summary>
public sealed class Float32Array
{
    private readonly ReadOnlyMemory<float> _data;

    internal Float32Array(Tensor tensor)
    {
        _data = tensor.Values;
        Shape = new ReadOnlyCollection<int>((int[])tensor.Shape.Clone());
    }

    internal static Float32Array? Of(Tensor? tensor) => tensor == null ? null : new Float32Array(tensor);

    /// <summary>The size of each dimension, outermost first: (3, 3, 3, 32) for YOLOv3's first kernel.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The number of values: the product of <see cref="Shape"/>.</summary>
    public int Length => _data.Length;

    /// <summary>The values, without copying.</summary>
    public ReadOnlySpan<float> Span => _data.Span;

    /// <summary>The values, without copying; unlike <see cref="Span"/>, it can be kept in a field or used across <c>await</c>.</summary>
    public ReadOnlyMemory<float> Memory => _data;

    /// <summary>The shape as numpy prints it: <c>(3, 3, 3, 32)</c>, or <c>(255,)</c> for one dimension.</summary>
    /// <returns>The shape text.</returns>
    public override string ToString() => "(" + string.Join(", ", Shape) + (Shape.Count == 1 ? ",)" : ")");
}
