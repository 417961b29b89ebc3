using System;
using System.Collections.Generic;
using System.Text;

namespace Darknet.Weights.Numpy;

/// <summary>
/// Reads the pickle inside a .npy dict file and builds ONLY numpy float arrays and dtypes, dicts, lists, tuples,
/// strings, bytes, numbers, bools and None. It is hand-written on purpose: a general unpickler (Python's, or a .NET
/// port) imports and calls whatever globals a file names, so a hostile .npy could run code. Here the only names a
/// file may use are numpy's _reconstruct, ndarray and dtype, plus _codecs.encode / bytes as protocol 2 writes a
/// bytes object; each is interpreted by this class, nothing is looked up or invoked. Any other global and every
/// opcode that creates or calls arbitrary objects (INST, OBJ, NEWOBJ, EXT*, PERSID...) is refused with
/// <see cref="ErrorCodes.ForbiddenPickle"/>, naming it. Supports protocols 2 to 5 (numpy's np.save writes 3; 5 only in-band).
/// </summary>
internal sealed class RestrictedUnpickler
{
    private const int MaxGlobalLine = 256;

    // A layer dictionary makes ~25 objects per array (numpy's own pickles too), so a million is 40,000 arrays; the cap
    // keeps a hostile file of DUPs, MARKs, MEMOIZEs, EMPTY_DICTs and APPENDs from growing the stack, the memo or a
    // list by more than ~100 MB. Every push, mark and new memo entry counts.
    private const int MaxObjects = 1_000_000;

    // Data the pickle makes (array floats, encoded bytes, hashed dict keys) may exceed the bytes read by this factor,
    // plus a little: a legal file spells each array's bytes once, and protocol 2 holds them once more as text.
    private const long BuiltPerByteRead = 2;
    private const long BuiltSlack = 1 << 20;

    private readonly BoundedReader _in;
    private readonly long _maxTotalBytes;
    private readonly long _startOffset;
    private readonly List<object?> _stack = new List<object?>();
    private readonly List<int> _marks = new List<int>();
    // MEMOIZE and the pickler's BINPUTs number entries 0, 1, 2...: a list; an index out of that order goes in a dict.
    private readonly List<object?> _memo = new List<object?>();
    private readonly Dictionary<long, object?> _sparseMemo = new Dictionary<long, object?>();
    private long _opcodeOffset;
    private int _objects;
    private long _built;
    private long _arrayBytes;

    public RestrictedUnpickler(BoundedReader input, long maxTotalBytes = ModelFileOptions.DefaultMaxTotalBytes)
    {
        _in = input;
        _maxTotalBytes = maxTotalBytes;
        _startOffset = input.Offset;
    }

    private string Source => _in.SourceName;

    public object? Load()
    {
        while (true)
        {
            _opcodeOffset = _in.Offset;
            int op = _in.ReadByte("the pickle (no STOP opcode)");
            switch (op)
            {
                case PickleOpcodes.Proto:
                    int protocol = _in.ReadByte("PROTO");
                    if (protocol > 5) throw Malformed($"unknown pickle protocol {protocol}");
                    break;
                case PickleOpcodes.Frame:
                    _in.ReadSmall(8, "FRAME"); // protocol 4 framing only groups opcodes; nothing to check
                    break;
                case PickleOpcodes.Stop:
                    if (_stack.Count != 1 || _marks.Count != 0) throw Malformed($"STOP with {_stack.Count} objects on the stack");
                    return _stack[0];

                case PickleOpcodes.Mark:
                    CountObject();
                    _marks.Add(_stack.Count);
                    break;
                case PickleOpcodes.Pop:
                    if (_marks.Count > 0 && _marks[_marks.Count - 1] == _stack.Count) _marks.RemoveAt(_marks.Count - 1);
                    else Pop();
                    break;
                case PickleOpcodes.PopMark: PopToMark(); break;
                case PickleOpcodes.Dup: Push(Peek()); break;

                case PickleOpcodes.None: Push(null); break;
                case PickleOpcodes.NewTrue: Push(true); break;
                case PickleOpcodes.NewFalse: Push(false); break;
                case PickleOpcodes.BinInt: Push((long)BitConverter.ToInt32(LittleEndian(4, "BININT"), 0)); break;
                case PickleOpcodes.BinInt1: Push((long)_in.ReadByte("BININT1")); break;
                case PickleOpcodes.BinInt2: Push((long)BitConverter.ToUInt16(LittleEndian(2, "BININT2"), 0)); break;
                case PickleOpcodes.Long1: Push(ReadLong(_in.ReadByte("LONG1"))); break;
                case PickleOpcodes.Long4: Push(ReadLong(ReadLength(4, "LONG4"))); break;
                case PickleOpcodes.BinFloat:
                    var f = _in.ReadSmall(8, "BINFLOAT");
                    var be = new byte[8];
                    Array.Copy(f, be, 8);
                    if (BitConverter.IsLittleEndian) Array.Reverse(be);
                    Push(BitConverter.ToDouble(be, 0));
                    break;

                case PickleOpcodes.ShortBinUnicode: Push(ReadUtf8(_in.ReadByte("SHORT_BINUNICODE"), "SHORT_BINUNICODE")); break;
                case PickleOpcodes.BinUnicode: Push(ReadUtf8(ReadLength(4, "BINUNICODE"), "BINUNICODE")); break;
                case PickleOpcodes.BinUnicode8: Push(ReadUtf8(ReadLength(8, "BINUNICODE8"), "BINUNICODE8")); break;
                case PickleOpcodes.ShortBinBytes: Push(new PickleBytes(_in.ReadExactly(_in.ReadByte("SHORT_BINBYTES"), "SHORT_BINBYTES"))); break;
                case PickleOpcodes.BinBytes: Push(ReadBytesObject(ReadLength(4, "BINBYTES"), "BINBYTES")); break;
                case PickleOpcodes.BinBytes8: Push(ReadBytesObject(ReadLength(8, "BINBYTES8"), "BINBYTES8")); break;
                case PickleOpcodes.ByteArray8: Push(ReadBytesObject(ReadLength(8, "BYTEARRAY8"), "BYTEARRAY8")); break;
                // Python 2's str (what encoding='latin1' is for): bytes read as latin-1 text.
                case PickleOpcodes.ShortBinString: Push(Latin1(_in.ReadExactly(_in.ReadByte("SHORT_BINSTRING"), "SHORT_BINSTRING"))); break;
                case PickleOpcodes.BinString:
                    long length = ReadLength(4, "BINSTRING");
                    Push(IsArrayData(length) ? ReadBytesObject(length, "BINSTRING") : Latin1(_in.ReadExactly(length, "BINSTRING")));
                    break;

                case PickleOpcodes.EmptyTuple: Push(PickleTuple.Empty); break;
                case PickleOpcodes.Tuple1: Push(new PickleTuple(new[] { Pop() })); break;
                case PickleOpcodes.Tuple2: { var b = Pop(); var a = Pop(); Push(new PickleTuple(new[] { a, b })); break; }
                case PickleOpcodes.Tuple3: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple(new[] { a, b, c })); break; }
                case PickleOpcodes.Tuple: Push(new PickleTuple(PopToMark().ToArray())); break;
                case PickleOpcodes.EmptyList: Push(new List<object?>()); break;
                case PickleOpcodes.List: Push(PopToMark()); break;
                case PickleOpcodes.Append: { var item = Pop(); ListOnTop("APPEND").Add(item); break; }
                case PickleOpcodes.Appends: { var items = PopToMark(); ListOnTop("APPENDS").AddRange(items); break; }
                case PickleOpcodes.EmptyDict: Push(new PickleDict()); break;
                case PickleOpcodes.Dict: { var items = PopToMark(); var d = new PickleDict(); SetItems(d, items); Push(d); break; }
                case PickleOpcodes.SetItem: { var v = Pop(); var k = Pop(); DictOnTop("SETITEM").Set(CheckKey(k), v); break; }
                case PickleOpcodes.SetItems: { var items = PopToMark(); SetItems(DictOnTop("SETITEMS"), items); break; }

                case PickleOpcodes.BinPut: MemoPut(_in.ReadByte("BINPUT")); break;
                case PickleOpcodes.LongBinPut: MemoPut(ReadLength(4, "LONG_BINPUT")); break;
                case PickleOpcodes.Memoize: MemoPut(_memo.Count + _sparseMemo.Count); break;
                case PickleOpcodes.BinGet: Push(MemoGet(_in.ReadByte("BINGET"))); break;
                case PickleOpcodes.LongBinGet: Push(MemoGet(ReadLength(4, "LONG_BINGET"))); break;

                case PickleOpcodes.Global:
                {
                    var module = _in.ReadLine(MaxGlobalLine, "GLOBAL");
                    var name = _in.ReadLine(MaxGlobalLine, "GLOBAL");
                    Push(AllowedGlobal(module, name, "GLOBAL"));
                    break;
                }
                case PickleOpcodes.StackGlobal:
                {
                    var name = Pop();
                    var module = Pop();
                    if (!(module is string m) || !(name is string n)) throw Malformed("STACK_GLOBAL needs a module and a name string");
                    Push(AllowedGlobal(m, n, "STACK_GLOBAL"));
                    break;
                }
                case PickleOpcodes.Reduce: { var args = Pop(); var callable = Pop(); Push(Reduce(callable, args)); break; }
                case PickleOpcodes.Build: { var state = Pop(); Build(Peek(), state); break; }

                case PickleOpcodes.Inst: throw Forbidden("INST (creates an instance of any class)");
                case PickleOpcodes.Obj: throw Forbidden("OBJ (creates an instance of any class)");
                case PickleOpcodes.NewObj: throw Forbidden("NEWOBJ (creates an instance of any class)");
                case PickleOpcodes.NewObjEx: throw Forbidden("NEWOBJ_EX (creates an instance of any class)");
                case PickleOpcodes.Ext1:
                case PickleOpcodes.Ext2:
                case PickleOpcodes.Ext4: throw Forbidden("EXT (imports a registered extension)");
                case PickleOpcodes.PersId:
                case PickleOpcodes.BinPersId: throw Forbidden("PERSID (asks the loader for an outside object)");
                case PickleOpcodes.NextBuffer:
                case PickleOpcodes.ReadOnlyBuffer: throw Forbidden("an out-of-band buffer (protocol 5)");

                default:
                    throw Malformed($"unsupported pickle opcode 0x{op:x2} ('{(op >= 0x20 && op < 0x7f ? ((char)op).ToString() : "?")}'): not one numpy's np.save writes");
            }
        }
    }

    private object AllowedGlobal(string module, string name, string opcode)
    {
        switch (module + "." + name)
        {
            case "numpy.core.multiarray._reconstruct":
            case "numpy._core.multiarray._reconstruct":
                return PickleGlobal.Reconstruct;
            case "numpy.core.numeric._frombuffer":
            case "numpy._core.numeric._frombuffer":
                return PickleGlobal.FromBuffer;
            case "numpy.ndarray": return PickleGlobal.NdarrayType;
            case "numpy.dtype": return PickleGlobal.Dtype;
            case "_codecs.encode": return PickleGlobal.CodecsEncode;
            case "__builtin__.bytes":
            case "builtins.bytes":
                return PickleGlobal.EmptyBytes;
            default:
                throw Forbidden($"{opcode} '{module}.{name}' (only numpy arrays and dtypes may be loaded)");
        }
    }

    private object Reduce(object? callable, object? argsObject)
    {
        if (!(callable is PickleGlobal global)) throw Forbidden($"REDUCE on {Describe(callable)} (only numpy's _reconstruct and dtype may be called)");
        if (!(argsObject is PickleTuple tuple)) throw Malformed("REDUCE arguments are not a tuple");
        var args = tuple.Items;
        switch (global)
        {
            case PickleGlobal.Reconstruct:
                if (args.Length != 3 || !(args[0] is PickleGlobal cls) || cls != PickleGlobal.NdarrayType)
                    throw Forbidden("_reconstruct of something other than numpy.ndarray");
                return new NumpyArray();
            case PickleGlobal.FromBuffer:
                if (args.Length != 4 || !(args[3] is string order) || (order != "C" && order != "F"))
                    throw Malformed("_frombuffer arguments are not (buffer, dtype, shape, 'C' or 'F')");
                var array = new NumpyArray();
                Fill(array, args[2], args[1], order == "F", args[0]);
                return array;
            case PickleGlobal.Dtype:
                if (args.Length < 1 || !(args[0] is string dtypeName)) throw Malformed("dtype() without a type name");
                return new NumpyDtype(dtypeName);
            case PickleGlobal.CodecsEncode:
                if (args.Length != 2 || !(args[0] is string text) || !(args[1] is string encoding) || (encoding != "latin1" && encoding != "latin-1"))
                    throw Forbidden("_codecs.encode other than encode(text, 'latin1')");
                return new PickleBytes(Latin1Bytes(text));
            case PickleGlobal.EmptyBytes:
                if (args.Length != 0) throw Forbidden("bytes() with arguments");
                return new PickleBytes(new byte[0]);
            default:
                throw Forbidden($"REDUCE on {global} (only numpy's _reconstruct and dtype may be called)");
        }
    }

    private void Build(object? target, object? state)
    {
        switch (target)
        {
            case NumpyDtype dtype: BuildDtype(dtype, state); break;
            case NumpyArray array: BuildArray(array, state); break;
            default: throw Forbidden($"BUILD on {Describe(target)} (only numpy arrays and dtypes have state)");
        }
    }

    // numpy's dtype.__setstate__: (version, byteorder, subarray, names, fields, elsize, alignment[, flags]).
    private void BuildDtype(NumpyDtype dtype, object? state)
    {
        if (!(state is PickleTuple t) || t.Items.Length < 2 || !(t.Items[1] is string endian) || endian.Length != 1)
            throw Malformed("a dtype's state is not (version, byteorder, ...)");
        for (int i = 2; i <= 4 && i < t.Items.Length; i++)
            if (t.Items[i] != null)
                throw new DarknetException(ErrorCodes.UnsupportedArray, $"{Source}: a structured or sub-array dtype at offset {_opcodeOffset}; only float32 arrays are supported");
        dtype.Endian = endian[0];
    }

    // ndarray.__setstate__: (version, shape, dtype, is_fortran, data), or the older (shape, dtype, is_fortran, data).
    private void BuildArray(NumpyArray array, object? state)
    {
        if (array.Built) throw Malformed("an ndarray is built twice");
        if (!(state is PickleTuple t) || (t.Items.Length != 5 && t.Items.Length != 4)) throw Malformed("an ndarray's state is not (version, shape, dtype, fortran, data)");
        int at = t.Items.Length == 5 ? 1 : 0;
        Fill(array, t.Items[at], t.Items[at + 1], t.Items[at + 2], t.Items[at + 3]);
    }

    private void Fill(NumpyArray array, object? shapeObject, object? dtypeObject, object? fortranObject, object? data)
    {
        if (!(shapeObject is PickleTuple shapeTuple)) throw Malformed("an ndarray's shape is not a tuple");
        if (!(dtypeObject is NumpyDtype dtype)) throw Malformed("an ndarray's dtype is not a numpy.dtype");
        if (!(fortranObject is bool fortran)) throw Malformed("an ndarray's fortran flag is not True/False");
        if (shapeTuple.Items.Length > Float32Arrays.MaxDimensions)
            throw new DarknetException(ErrorCodes.UnsupportedArray, $"{Source}: an array of {shapeTuple.Items.Length} dimensions at offset {_opcodeOffset} (numpy allows at most {Float32Arrays.MaxDimensions})");
        var shape = new int[shapeTuple.Items.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            if (!(shapeTuple.Items[i] is long d) || d < 0 || d > int.MaxValue) throw Malformed("an ndarray's shape holds something other than a dimension");
            shape[i] = (int)d;
        }
        string where = $"{Source}: the array at offset {_opcodeOffset}";
        int count = Float32Arrays.ElementCount(shape, where);
        if (!dtype.IsObject) ChargeArray((long)count * 4);
        array.Shape = shape;
        array.Built = true;

        if (dtype.IsObject)
        {
            if (!(data is List<object?> objects) || objects.Count != count) throw Malformed("an object array's items do not match its shape");
            array.Objects = objects;
            return;
        }

        bool bigEndian = Float32Arrays.RequireFloat32(dtype.Name, dtype.Endian, where);
        PickleBytes bytes = data is PickleBytes b ? b
            : data is string py2 ? new PickleBytes(Latin1Bytes(py2))
            : throw Malformed("an ndarray's data is not a bytes object");
        if (bytes.Length != (long)count * 4)
            throw Malformed($"an array of shape ({string.Join(", ", shape)}) carries {bytes.Length} bytes instead of {(long)count * 4}");
        array.Floats = bytes.ToTensor(shape, bigEndian, fortran);
    }

    private void SetItems(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Malformed("SETITEMS with an odd number of items");
        for (int i = 0; i < items.Count; i += 2) dict.Set(CheckKey(items[i]), items[i + 1]);
    }

    private object? CheckKey(object? key)
    {
        if (key is PickleDict || key is List<object?> || key is NumpyArray || key is PickleBytes) // unhashable in Python, or not a key numpy files use
            throw Malformed($"a dict key that is {Describe(key)}");
        if (key is string text) Charge(2L * text.Length, "hashing dict keys"); // one memoized long key set again and again
        return key;
    }

    private void MemoPut(long index)
    {
        var value = Peek();
        if (index < _memo.Count)
        {
            _memo[(int)index] = value;
            return;
        }
        if (!_sparseMemo.ContainsKey(index)) CountObject();
        if (index == _memo.Count && _sparseMemo.Count == 0) _memo.Add(value);
        else _sparseMemo[index] = value;
    }

    private long ReadLength(int size, string opcode)
    {
        var b = LittleEndian(size, opcode);
        long value = size == 4 ? BitConverter.ToUInt32(b, 0) : BitConverter.ToInt64(b, 0);
        if (value < 0) throw Malformed($"{opcode} declares a negative length");
        return value;
    }

    private byte[] LittleEndian(int size, string opcode)
    {
        var b = _in.ReadSmall(size, opcode);
        if (!BitConverter.IsLittleEndian) Array.Reverse(b, 0, size);
        return b;
    }

    // Two's-complement little-endian integer of n bytes (LONG1/LONG4); numpy never needs more than 8.
    private long ReadLong(long n)
    {
        if (n > 8) throw new DarknetException(ErrorCodes.UnsupportedArray, $"{Source}: an integer of {n} bytes at offset {_opcodeOffset} (at most 8 supported)");
        if (n == 0) return 0;
        var b = _in.ReadSmall((int)n, "LONG");
        long value = 0;
        for (int i = (int)n - 1; i >= 0; i--) value = (value << 8) | b[i];
        if (n < 8 && (b[n - 1] & 0x80) != 0) value -= 1L << (int)(8 * n);
        return value;
    }

    // Large bytes objects (and Python 2 strings) are array data: read them as float32 right away so the file is not
    // held twice.
    private static bool IsArrayData(long length) => length >= 4096 && length % 4 == 0;

    // From an embedded resource (ModelFile.Load(Assembly, name)) they are not read at all but viewed where they lie,
    // once the length is checked against what the resource holds; whether they are an array's data, and of what
    // shape, is checked when an ndarray is built from them, as for a copy.
    private PickleBytes ReadBytesObject(long length, string opcode) =>
        !IsArrayData(length) ? new PickleBytes(_in.ReadExactly(length, opcode))
        : _in.TryViewFloatsLittleEndian(length, opcode, out var view) ? new PickleBytes(view)
        : new PickleBytes(_in.ReadFloatsLittleEndian(length, opcode));

    private string ReadUtf8(long length, string opcode) => Encoding.UTF8.GetString(_in.ReadExactly(length, opcode));

    private static string Latin1(byte[] bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = (char)bytes[i];
        return new string(chars);
    }

    private byte[] Latin1Bytes(string text)
    {
        Charge(text.Length, "encoding text as bytes");
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > 0xff) throw Malformed("latin-1 bytes text holds a character above U+00FF");
            bytes[i] = (byte)text[i];
        }
        return bytes;
    }

    private void Push(object? value)
    {
        CountObject();
        _stack.Add(value);
    }

    private void CountObject()
    {
        if (++_objects > MaxObjects) throw Malformed($"more than {MaxObjects} objects: not a numpy layer dictionary");
    }

    // What the pickle makes out of its bytes may not outgrow them: memoized data built into array after array, or
    // text encoded again and again, is refused once it exceeds what a legal file could have spelt.
    private void Charge(long bytes, string doing)
    {
        _built += bytes;
        long read = _in.Offset - _startOffset;
        if (_built > BuiltPerByteRead * read + BuiltSlack)
            throw Malformed($"{doing} makes {_built:N0} bytes from the {read:N0} bytes read so far: a file builds its data once, not again and again");
    }

    private void ChargeArray(long bytes)
    {
        _arrayBytes += bytes;
        if (_arrayBytes > _maxTotalBytes)
            throw new DarknetException(ErrorCodes.ArrayDataOverCap,
                $"{Source}: its arrays hold more than {NpzReader.Size(_maxTotalBytes)} at offset {_opcodeOffset}, this reader's cap (ModelFileOptions.MaxTotalBytes)");
        Charge(bytes, "building arrays");
    }

    private object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks[_marks.Count - 1] == _stack.Count)) throw Malformed("an opcode needs an object but the stack is empty");
        return _stack[_stack.Count - 1];
    }

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0) throw Malformed("an opcode needs a MARK but there is none");
        int start = _marks[_marks.Count - 1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private List<object?> ListOnTop(string opcode) =>
        Peek() is List<object?> list ? list : throw Malformed($"{opcode} on {Describe(Peek())}, not a list");

    private PickleDict DictOnTop(string opcode) =>
        Peek() is PickleDict dict ? dict : throw Malformed($"{opcode} on {Describe(Peek())}, not a dict");

    private object? MemoGet(long index) =>
        index < _memo.Count ? _memo[(int)index]
        : _sparseMemo.TryGetValue(index, out var value) ? value
        : throw Malformed($"memo entry {index} is read before it is written");

    private DarknetException Malformed(string why) =>
        new DarknetException(ErrorCodes.MalformedPickle, $"{Source}: malformed pickle at offset {_opcodeOffset}: {why}");

    private DarknetException Forbidden(string what) =>
        new DarknetException(ErrorCodes.ForbiddenPickle, $"{Source}: refused pickle content at offset {_opcodeOffset}: {what}; nothing from the file was run");

    private static string Describe(object? value)
    {
        switch (value)
        {
            case null: return "None";
            case string _: return "a string";
            case long _: return "an int";
            case double _: return "a float";
            case bool _: return "a bool";
            case PickleTuple _: return "a tuple";
            case List<object?> _: return "a list";
            case PickleDict _: return "a dict";
            case PickleBytes _: return "a bytes object";
            case NumpyArray _: return "an ndarray";
            case NumpyDtype _: return "a dtype";
            case PickleGlobal g: return g.ToString();
            default: return value.GetType().Name;
        }
    }
}
