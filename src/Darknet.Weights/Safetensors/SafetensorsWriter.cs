using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Darknet.Weights.Layout;
using Darknet.Weights.Numpy;

namespace Darknet.Weights.Safetensors;

/// <summary>
/// Writes the safetensors layout (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
/// padded with spaces to a multiple of 8, then the tensors' bytes back to back. The header names every tensor with
/// its dtype (F32), shape and [begin, end) byte offsets, so it is worked out from the layout before the first layer
/// arrives; each layer's arrays are then streamed in and checked against it. Names are the .npz's (conv_1/weights,
/// conv_1/gamma, ...); <c>__metadata__</c> says what wrote the file.
/// </summary>
internal sealed class SafetensorsWriter : ILayerSink
{
    private readonly Stream _output;
    private readonly IReadOnlyList<Entry> _entries;
    private readonly byte[] _buffer = new byte[FloatBytes.ChunkBytes];
    private int _next;

    internal sealed class Entry
    {
        public Entry(string name, int[] shape)
        {
            Name = name;
            Shape = shape;
        }

        public string Name { get; }

        public int[] Shape { get; }

        public long ByteCount
        {
            get
            {
                long count = 4;
                foreach (var d in Shape) count *= d;
                return count;
            }
        }
    }

    public SafetensorsWriter(Stream output, IReadOnlyList<Entry> entries, string sourceName)
    {
        _output = output;
        _entries = entries;
        var header = Header(entries, sourceName);
        var length = BitConverter.GetBytes((ulong)header.Length);
        if (!BitConverter.IsLittleEndian) Array.Reverse(length);
        _output.Write(length, 0, 8);
        _output.Write(header, 0, header.Length);
    }

    /// <summary>The arrays the converter will deliver for <paramref name="plan"/>'s layers, in order, as LayerReader shapes them.</summary>
    internal static IReadOnlyList<Entry> EntriesFor(ConversionPlan plan)
    {
        var entries = new List<Entry>();
        for (int i = 0; i < plan.Blocks.Count; i++)
            foreach (var array in plan.Blocks[i].Arrays) entries.Add(new Entry(plan.Names[i] + "/" + array.Name, array.Shape));
        return entries;
    }

    public void Write(LayerParameters layer)
    {
        if (layer.Weights != null) WriteTensor(layer.Name + "/weights", layer.Weights);
        if (layer.Biases != null) WriteTensor(layer.Name + "/biases", layer.Biases);
        if (layer.BatchNorm != null)
            for (int i = 0; i < 4; i++) WriteTensor(layer.Name + "/" + NpzWriter.BatchNormNames[i], layer.BatchNorm[i]);
    }

    public void Complete()
    {
        if (_next != _entries.Count)
            throw new InvalidOperationException($"the safetensors header names {_entries.Count} tensors, {_next} were written");
        _output.Flush();
    }

    public void Dispose()
    {
    }

    private void WriteTensor(string name, Tensor tensor)
    {
        if (_next >= _entries.Count || _entries[_next].Name != name || !SameShape(_entries[_next].Shape, tensor.Shape))
            throw new InvalidOperationException($"tensor {name} {tensor.ShapeText} is not the one the header announced next ({(_next < _entries.Count ? _entries[_next].Name : "none")})");
        _next++;
        FloatBytes.Write(_output, tensor.Values.Span, _buffer);
    }

    private static bool SameShape(int[] a, int[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
        return true;
    }

    private static byte[] Header(IReadOnlyList<Entry> entries, string sourceName)
    {
        var json = new StringBuilder();
        json.Append("{\"__metadata__\":{\"format\":\"darknet\",\"producer\":").Append(Json.Quote("Darknet.Weights " + LibraryVersion.Informational))
            .Append(",\"source\":").Append(Json.Quote(sourceName))
            .Append(",\"layout\":\"weights (h, w, in, out) for conv, (in, out) for connected, as in the .npz\"}");
        long offset = 0;
        foreach (var entry in entries)
        {
            json.Append(',').Append(Json.Quote(entry.Name)).Append(":{\"dtype\":\"F32\",\"shape\":[");
            for (int i = 0; i < entry.Shape.Length; i++)
            {
                if (i > 0) json.Append(',');
                json.Append(entry.Shape[i].ToString(CultureInfo.InvariantCulture));
            }
            json.Append("],\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',');
            offset += entry.ByteCount;
            json.Append(offset.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        json.Append('}');
        // Padded with spaces so the data starts 8-byte aligned, as the format recommends.
        while ((Encoding.UTF8.GetByteCount(json.ToString()) % 8) != 0) json.Append(' ');
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
