using System;
using System.Buffers;

namespace Darknet.Weights.Numpy;

/// <summary>
/// float32 values inside an embedded resource's memory, seen in place (no copy) through <see cref="Memory{T}"/>.
/// It holds the assembly the memory belongs to: while a <see cref="ReadOnlyMemory{T}"/> of it is reachable, a
/// collectible AssemblyLoadContext cannot unload the image under it. The memory is the runtime's read-only mapping of
/// the assembly: nothing here frees, pins or writes it.
/// </summary>
internal sealed unsafe class ResourceFloats : MemoryManager<float>
{
    private readonly byte* _start;
    private readonly int _count;

    /// <param name="start">The first value's address; MappedResource checked that the values lie inside the resource.</param>
    public ResourceFloats(byte* start, int count, object owner)
    {
        _start = start;
        _count = count;
        Owner = owner;
    }

    /// <summary>The assembly whose image holds the values: reachable from every view of them (see the class comment).</summary>
    public object Owner { get; }

    // Unaligned addresses are fine where MappedResource makes views: see MappedResource.CanViewAt.
    public override Span<float> GetSpan() => new Span<float>(_start, _count);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)_count) throw new ArgumentOutOfRangeException(nameof(elementIndex));
        return new MemoryHandle(_start + (long)elementIndex * 4, default, this);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
