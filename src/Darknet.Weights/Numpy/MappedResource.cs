using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Darknet.Weights.Numpy;

/// <summary>
/// An embedded resource as <c>Assembly.GetManifestResourceStream</c> returns it: an <see cref="UnmanagedMemoryStream"/>
/// over the assembly's image, which the runtime keeps mapped while the assembly is loaded. The readers parse and
/// bounds-check the file through <see cref="Stream"/> as they would any stream; only then does a float32 array's data
/// become a view of that memory (<see cref="TryTakeFloats"/>) instead of a copy, so the model is not held twice (once
/// as resident pages of the mapping, once in float arrays). Only the resource stream the reader opened itself is ever
/// aliased: a caller's stream may be freed under a view, so ModelFile.Load(Stream) always copies.
/// </summary>
internal sealed unsafe class MappedResource
{
    // Where a float32 may be read from any address. The data of a pickled array sits wherever the pickle put it (a
    // .npy dict's arrays follow a few opcode bytes, so most are not 4-byte aligned), and .NET reads a Span<float>
    // with plain loads: scalar ones, and in the runtime's vectorised helpers unaligned vector loads (LoadUnsafe),
    // aligned ones only at addresses they have checked. On x86/x64 (movss, movups) and on arm64 (ldr s, ldr q,
    // ld1 on normal memory, which a mapped image is; the OSes .NET runs on leave alignment checking off) those work
    // at any address. On 32-bit Arm a float load (vldr) faults unless 4-byte aligned, and other architectures are
    // not vouched for here: there only an aligned array is a view, any other is copied.
    private static readonly bool AnyAlignment =
        RuntimeInformation.ProcessArchitecture == Architecture.X64
        || RuntimeInformation.ProcessArchitecture == Architecture.X86
        || RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    private readonly UnmanagedMemoryStream _stream;
    private readonly byte* _start;

    private MappedResource(UnmanagedMemoryStream stream, object owner)
    {
        _stream = stream;
        _start = stream.PositionPointer - stream.Position;
        Owner = owner;
    }

    /// <summary>The resource's stream, read by the parsers; its position is where the next view starts.</summary>
    public Stream Stream => _stream;

    /// <summary>The assembly that owns the memory: every view holds it.</summary>
    public object Owner { get; }

    /// <summary>
    /// The resource behind <paramref name="stream"/> (one <c>GetManifestResourceStream</c> returned), or null when its
    /// memory cannot be aliased: not an <see cref="UnmanagedMemoryStream"/> over a pointer, or a big-endian machine
    /// (the files are little-endian, so every value must be swapped into a copy).
    /// </summary>
    public static MappedResource? Of(Stream stream, object owner)
    {
        if (!BitConverter.IsLittleEndian || !(stream is UnmanagedMemoryStream memory) || !memory.CanSeek) return null;
        try
        {
            return new MappedResource(memory, owner);
        }
        catch (NotSupportedException)
        {
            return null; // an UnmanagedMemoryStream over a SafeBuffer has no PositionPointer
        }
    }

    /// <summary>
    /// The <paramref name="byteCount"/> bytes of little-endian float32 values at the stream's position as a view,
    /// moving the position past them. False, with the position unchanged, when they must be copied instead: their
    /// address is not aligned on a platform that needs it, or they do not lie wholly inside the resource (the
    /// callers have checked that already; this is the last guard before a pointer is made).
    /// </summary>
    public bool TryTakeFloats(long byteCount, out ReadOnlyMemory<float> view)
    {
        if (!TryViewAt(_stream.Position, byteCount, out view)) return false;
        _stream.Seek(byteCount, SeekOrigin.Current);
        return true;
    }

    /// <summary>As <see cref="TryTakeFloats"/>, at <paramref name="position"/> of the resource, leaving the stream's position alone.</summary>
    public bool TryViewAt(long position, long byteCount, out ReadOnlyMemory<float> view)
    {
        view = default;
        if (byteCount < 0 || byteCount % 4 != 0 || byteCount / 4 > int.MaxValue
            || position < 0 || position > _stream.Length || byteCount > _stream.Length - position)
            return false;
        byte* first = _start + position;
        if (!AnyAlignment && ((long)first & 3) != 0) return false;
        view = new ResourceFloats(first, (int)(byteCount / 4), Owner).Memory;
        return true;
    }
}
