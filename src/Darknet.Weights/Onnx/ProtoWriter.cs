using System;
using System.IO;
using System.Text;

namespace Darknet.Weights.Onnx;

/// <summary>
/// The few protobuf wire-format primitives an ONNX file needs (varints, tags, length-delimited fields, fixed32).
/// Written by hand rather than with Google.Protobuf's generated messages: a generated ModelProto must hold every
/// initializer's bytes in memory before it serializes (and copies them again), while a YOLOv3 export streams 250 MB
/// of weights layer by layer straight into the file. The small messages (nodes, shapes) are encoded into byte arrays
/// with this writer too, so one encoder serves both and the core library keeps no dependency.
/// </summary>
internal sealed class ProtoWriter
{
    private const int Varint = 0;
    private const int Fixed32 = 5;
    private const int LengthDelimited = 2;

    private readonly Stream _output;
    private readonly byte[] _scratch = new byte[10];

    public ProtoWriter(Stream output)
    {
        _output = output;
    }

    public static byte[] Encode(Action<ProtoWriter> write)
    {
        using var buffer = new MemoryStream();
        write(new ProtoWriter(buffer));
        return buffer.ToArray();
    }

    public void Int64(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint(unchecked((ulong)value));
    }

    public void Float(int field, float value)
    {
        Tag(field, Fixed32);
        var bytes = BitConverter.GetBytes(value);
        if (!BitConverter.IsLittleEndian) Array.Reverse(bytes);
        _output.Write(bytes, 0, 4);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A length-delimited field: an embedded message already encoded, or a string's bytes.</summary>
    public void Bytes(int field, byte[] value)
    {
        LengthPrefix(field, value.Length);
        _output.Write(value, 0, value.Length);
    }

    public void Message(int field, Action<ProtoWriter> write) => Bytes(field, Encode(write));

    /// <summary>The tag and length of a length-delimited field whose <paramref name="length"/> bytes the caller writes next.</summary>
    public void LengthPrefix(int field, long length)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)length);
    }

    public Stream Output => _output;

    public static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80) { value >>= 7; size++; }
        return size;
    }

    /// <summary>Bytes a length-delimited field of <paramref name="length"/> bytes takes, tag and length included.</summary>
    public static long FieldSize(int field, long length) => VarintSize((ulong)(field << 3)) + VarintSize((ulong)length) + length;

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        int n = 0;
        while (value >= 0x80)
        {
            _scratch[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _scratch[n++] = (byte)value;
        _output.Write(_scratch, 0, n);
    }
}
