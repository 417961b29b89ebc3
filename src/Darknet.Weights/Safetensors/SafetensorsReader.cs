using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Darknet.Weights.Numpy;

namespace Darknet.Weights.Safetensors;

/// <summary>
/// Reads a .safetensors file of darknet layers (layer/weights, layer/gamma, ... F32 tensors) back into layers, in the
/// order their names first appear in the header. The header is checked against the format's rules before any data is
/// read: F32 only, offsets within the data and contiguous (no gaps, no overlap), each the size its shape implies.
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>The format's own limit on the JSON header (100 MB in huggingface/safetensors).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>True when <paramref name="start"/> (at least 9 bytes) looks like a safetensors file: a sane length, then '{'.</summary>
    public static bool LooksLike(byte[] start, int count)
    {
        if (count < 9 || start[8] != (byte)'{') return false;
        var length = HeaderLength(start);
        return length >= 2 && length <= MaxHeaderBytes;
    }

    /// <param name="mapped">The resource <paramref name="input"/> is the stream of: then the tensors view it in place.</param>
    public static IReadOnlyList<LayerParameters> Read(Stream input, long? streamLength, byte[] lengthBytes, string sourceName, long maxTotalBytes, MappedResource? mapped = null)
    {
        long headerLength = (long)HeaderLength(lengthBytes);
        var reader = BoundedReader.For(input, sourceName, ErrorCodes.NotNumpyFile, startOffset: 8, mapped);
        var headerBytes = reader.ReadExactly(headerLength, "the safetensors header");
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw Bad(sourceName, "the header is not UTF-8");
        }
        var root = Json.Parse(text, what => Bad(sourceName, "header JSON: " + what)) as List<KeyValuePair<string, object?>>
                   ?? throw Bad(sourceName, "the header is not a JSON object");

        var tensors = new List<(string Name, int[] Shape, long Begin, long End)>();
        foreach (var member in root)
        {
            if (member.Key == "__metadata__") continue;
            var fields = member.Value as List<KeyValuePair<string, object?>> ?? throw Bad(sourceName, $"tensor '{member.Key}' is not an object");
            var dtype = Field(fields, "dtype") as string;
            if (dtype != "F32") throw new DarknetException(ErrorCodes.UnsupportedArray, $"{sourceName}: tensor '{member.Key}' is {dtype ?? "untyped"}; only F32 is read");
            var shape = Integers(Field(fields, "shape"), sourceName, member.Key, "shape").Select(v => checked((int)v)).ToArray();
            var offsets = Integers(Field(fields, "data_offsets"), sourceName, member.Key, "data_offsets");
            if (offsets.Length != 2 || offsets[0] > offsets[1]) throw Bad(sourceName, $"tensor '{member.Key}': data_offsets must be [begin, end]");
            long count = Float32Arrays.ElementCount(shape, sourceName + ":" + member.Key);
            if (offsets[1] - offsets[0] != count * 4)
                throw Bad(sourceName, $"tensor '{member.Key}': shape ({string.Join(", ", shape)}) needs {count * 4} bytes, data_offsets give {offsets[1] - offsets[0]}");
            tensors.Add((member.Key, shape, offsets[0], offsets[1]));
        }

        long expected = 0;
        foreach (var t in tensors.OrderBy(t => t.Begin))
        {
            if (t.Begin != expected) throw Bad(sourceName, $"tensor '{t.Name}' starts at byte {t.Begin} of the data, expected {expected}: the data must be contiguous");
            expected = t.End;
        }
        if (expected > maxTotalBytes)
            throw new DarknetException(ErrorCodes.ArrayDataOverCap,
                $"{sourceName}: its tensors hold {expected:N0} bytes, more than this reader's cap of {maxTotalBytes:N0} (ModelFileOptions.MaxTotalBytes); nothing was read");
        if (streamLength.HasValue && streamLength.Value - 8 - headerLength != expected)
            throw Bad(sourceName, $"the header's tensors cover {expected} bytes of data, the file holds {streamLength.Value - 8 - headerLength}");

        var arrays = new LayerArrays(sourceName);
        var byBegin = tensors.OrderBy(t => t.Begin).Select(t => (t.Name, ReadTensor(reader, t.Shape, t.End - t.Begin, t.Name))).ToDictionary(t => t.Name, t => t.Item2);
        foreach (var t in tensors) arrays.Add(t.Name, byBegin[t.Name], t.Name);
        return arrays.ToLayers();
    }

    private static Tensor ReadTensor(BoundedReader reader, int[] shape, long byteCount, string name) =>
        reader.TryViewFloatsLittleEndian(byteCount, name, out var view) ? new Tensor(shape, view) : new Tensor(shape, reader.ReadFloatsLittleEndian(byteCount, name));

    private static ulong HeaderLength(byte[] start)
    {
        var bytes = new byte[8];
        Array.Copy(start, bytes, 8);
        if (!BitConverter.IsLittleEndian) Array.Reverse(bytes);
        return BitConverter.ToUInt64(bytes, 0);
    }

    private static object? Field(List<KeyValuePair<string, object?>> fields, string name)
    {
        foreach (var f in fields) if (f.Key == name) return f.Value;
        return null;
    }

    private static long[] Integers(object? value, string sourceName, string tensor, string field)
    {
        if (!(value is List<object?> items)) throw Bad(sourceName, $"tensor '{tensor}': {field} is missing or not a list");
        var result = new long[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            if (!(items[i] is decimal d) || d < 0 || d != decimal.Truncate(d) || d > int.MaxValue * 16m)
                throw Bad(sourceName, $"tensor '{tensor}': {field} holds something other than whole numbers");
            result[i] = (long)d;
        }
        return result;
    }

    private static DarknetException Bad(string sourceName, string what) =>
        new DarknetException(ErrorCodes.NotNumpyFile, $"{sourceName} is not a valid .safetensors file: {what}");
}
