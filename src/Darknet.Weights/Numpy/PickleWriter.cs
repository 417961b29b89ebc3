using System;
using System.IO;
using System.Text;

namespace Darknet.Weights.Numpy;

/// <summary>
/// Emits pickle opcodes straight to a stream (small opcodes gathered in a buffer, array data in 64 KiB chunks).
/// It writes exactly the shapes numpy 1.24 pickles (protocol 3) for float32 arrays, dtypes and dicts; no memo is
/// used because nothing is shared, so every object is written where it appears.
/// </summary>
internal sealed class PickleWriter
{
    private readonly Stream _output;
    private readonly byte[] _buffer = new byte[FloatBytes.WriteChunkBytes];
    private int _used;

    public PickleWriter(Stream output)
    {
        _output = output;
    }

    public void Opcode(byte opcode)
    {
        Reserve(1);
        _buffer[_used++] = opcode;
    }

    public void Global(string module, string name)
    {
        Opcode(PickleOpcodes.Global);
        Ascii(module + "\n" + name + "\n");
    }

    public void Unicode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Opcode(PickleOpcodes.BinUnicode);
        UInt32((uint)bytes.Length);
        Raw(bytes, bytes.Length);
    }

    public void Int(int value)
    {
        if (value >= 0 && value < 0x100)
        {
            Opcode(PickleOpcodes.BinInt1);
            Reserve(1);
            _buffer[_used++] = (byte)value;
        }
        else if (value >= 0 && value < 0x10000)
        {
            Opcode(PickleOpcodes.BinInt2);
            Reserve(2);
            _buffer[_used++] = (byte)value;
            _buffer[_used++] = (byte)(value >> 8);
        }
        else
        {
            Opcode(PickleOpcodes.BinInt);
            UInt32(unchecked((uint)value));
        }
    }

    public void ShortBytes(byte[] bytes)
    {
        Opcode(PickleOpcodes.ShortBinBytes);
        Reserve(1);
        _buffer[_used++] = (byte)bytes.Length;
        Raw(bytes, bytes.Length);
    }

    /// <summary>BINBYTES holding the values as '&lt;f4', written from the values without copying them first.</summary>
    public void FloatBytesObject(ReadOnlySpan<float> values)
    {
        long length = (long)values.Length * 4;
        if (length > uint.MaxValue) throw new ArgumentException($"an array of {values.Length} floats does not fit one protocol-3 bytes object");
        Opcode(PickleOpcodes.BinBytes);
        UInt32((uint)length);
        Flush();
        FloatBytes.Write(_output, values, _buffer);
    }

    /// <summary>Hands what is buffered to the stream (and flushes the stream), so a written layer is really out.</summary>
    public void Flush()
    {
        if (_used > 0) _output.Write(_buffer, 0, _used);
        _used = 0;
        _output.Flush();
    }

    private void UInt32(uint value)
    {
        Reserve(4);
        _buffer[_used++] = (byte)value;
        _buffer[_used++] = (byte)(value >> 8);
        _buffer[_used++] = (byte)(value >> 16);
        _buffer[_used++] = (byte)(value >> 24);
    }

    private void Ascii(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Raw(bytes, bytes.Length);
    }

    private void Raw(byte[] bytes, int count)
    {
        if (count > _buffer.Length)
        {
            Flush();
            _output.Write(bytes, 0, count);
            return;
        }
        Reserve(count);
        Buffer.BlockCopy(bytes, 0, _buffer, _used, count);
        _used += count;
    }

    private void Reserve(int count)
    {
        if (_used + count > _buffer.Length)
        {
            _output.Write(_buffer, 0, _used);
            _used = 0;
        }
    }
}
