using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Darknet.Weights.Numpy;

// The only kinds of objects the restricted unpickler ever builds, besides string, long, double, bool and null.

/// <summary>One of the few callables a numpy pickle may name; never anything that could run.</summary>
internal enum PickleGlobal
{
    /// <summary>numpy.core.multiarray._reconstruct (numpy._core in numpy 2): an empty ndarray that BUILD fills.</summary>
    Reconstruct,

    /// <summary>numpy.core.numeric._frombuffer(buffer, dtype, shape, order): how protocol 5 writes an ndarray.</summary>
    FromBuffer,

    /// <summary>numpy.ndarray: only as _reconstruct's first argument.</summary>
    NdarrayType,

    /// <summary>numpy.dtype: dtype('f4', False, True), then BUILD with the byte order.</summary>
    Dtype,

    /// <summary>_codecs.encode(text, 'latin1'): how protocol 2 writes a bytes object.</summary>
    CodecsEncode,

    /// <summary>builtins.bytes(): how protocol 2 writes an empty bytes object.</summary>
    EmptyBytes,
}

internal sealed class PickleTuple
{
    public static readonly PickleTuple Empty = new PickleTuple(new object?[0]);

    public PickleTuple(object?[] items) => Items = items;

    public object?[] Items { get; }
}

/// <summary>A Python dict in insertion order (string and number keys compare by value, like Python).</summary>
internal sealed class PickleDict
{
    // Made on the first Set: a hostile file of EMPTY_DICTs then costs one small object per byte, not three.
    private Dictionary<object, int>? _index;
    private List<KeyValuePair<object?, object?>>? _items;
    private int _noneKey = -1;

    public IReadOnlyList<KeyValuePair<object?, object?>> Items => (IReadOnlyList<KeyValuePair<object?, object?>>?)_items ?? Array.Empty<KeyValuePair<object?, object?>>();

    public void Set(object? key, object? value)
    {
        _index ??= new Dictionary<object, int>();
        _items ??= new List<KeyValuePair<object?, object?>>();
        int at = key == null ? _noneKey : _index.TryGetValue(key, out var i) ? i : -1;
        if (at >= 0)
        {
            _items[at] = new KeyValuePair<object?, object?>(key, value);
            return;
        }
        if (key == null) _noneKey = _items.Count;
        else _index[key] = _items.Count;
        _items.Add(new KeyValuePair<object?, object?>(key, value));
    }
}

/// <summary>
/// A bytes object, held as raw bytes or (large ones, and once an ndarray is built from it) as the float32 values they
/// spell, never both, so a large file is not held twice; <see cref="GetBytes"/> brings the bytes back if ever needed.
/// From an embedded resource, a large one is a view of the resource's memory instead (see <see cref="MappedResource"/>).
/// </summary>
internal sealed class PickleBytes
{
    private byte[]? _bytes;
    private float[]? _floats;
    private bool _floatsBigEndian;
    private ReadOnlyMemory<float>? _view;

    public PickleBytes(byte[] bytes) => _bytes = bytes;

    /// <summary>A bytes object read straight as '&lt;f4' values (a large one: almost always an array's data).</summary>
    public PickleBytes(float[] littleEndianFloats) => _floats = littleEndianFloats;

    /// <summary>A bytes object seen in place as '&lt;f4' values: nothing was copied.</summary>
    public PickleBytes(ReadOnlyMemory<float> littleEndianView) => _view = littleEndianView;

    public long Length => _bytes?.LongLength ?? _floats?.LongLength * 4 ?? _view!.Value.Length * 4L;

    public byte[] GetBytes()
    {
        if (_bytes != null) return _bytes;
        if (_view != null) return MemoryMarshal.AsBytes(_view.Value.Span).ToArray(); // little-endian: only little-endian machines view
        var ms = new System.IO.MemoryStream();
        FloatBytes.Write(ms, _floats!, new byte[FloatBytes.ChunkBytes]);
        var bytes = ms.ToArray();
        if (_floatsBigEndian) FloatBytes.SwapEvery4(bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>
    /// The values as an array of <paramref name="shape"/> in C order: the view itself when it already is one
    /// ('&lt;f4' in C order, or one dimension), otherwise values converted into an array.
    /// </summary>
    public Tensor ToTensor(int[] shape, bool bigEndian, bool fortran)
    {
        if (_view != null && !bigEndian && (!fortran || shape.Length < 2)) return new Tensor(shape, _view.Value);
        var floats = TakeAsFloats(bigEndian);
        if (fortran) floats = Float32Arrays.FortranToC(floats, shape);
        return new Tensor(shape, floats);
    }

    private float[] TakeAsFloats(bool bigEndian)
    {
        if (_floats != null && _floatsBigEndian == bigEndian) return _floats;
        var bytes = GetBytes();
        _floats = FloatBytes.ToFloats(bytes, 0, bytes.Length / 4, bigEndian);
        _floatsBigEndian = bigEndian;
        _bytes = null;
        _view = null;
        return _floats;
    }
}

internal sealed class NumpyDtype
{
    public NumpyDtype(string name) => Name = name;

    /// <summary>As given to dtype(): 'f4', 'O8', 'f8', possibly with a byte-order prefix.</summary>
    public string Name { get; }

    /// <summary>'&lt;', '&gt;', '=' or '|', from BUILD (numpy pickles the byte order in the dtype's state).</summary>
    public char Endian { get; set; } = '=';

    public bool IsObject => Name == "O" || Name == "O8" || Name == "object";

    public override string ToString() => Endian + Name;
}

/// <summary>An ndarray from _reconstruct + BUILD: float32 values (C order) or, for the 0-d object array, its items.</summary>
internal sealed class NumpyArray
{
    public bool Built { get; set; }

    public int[] Shape { get; set; } = new int[0];

    public Tensor? Floats { get; set; }

    public List<object?>? Objects { get; set; }
}
