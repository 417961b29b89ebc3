using System;
using System.Collections.Generic;
using System.IO;
using Darknet.Weights.Numpy;

namespace Darknet.Weights.Onnx;

/// <summary>
/// Writes an ONNX ModelProto as the converter delivers layers: the graph's size is known from the shapes alone, so
/// the header, the nodes and the small constants go out first and each weighted layer's folded tensors are appended
/// as it arrives. Memory holds one layer, never the model.
/// </summary>
internal sealed class OnnxModelWriter : ILayerSink
{
    public const long IrVersion = 7;
    public const long OpsetVersion = 13;

    // ONNX field numbers (onnx.proto).
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelGraph = 7, ModelOpsetImport = 8, ModelMetadataProps = 14;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrInts = 8, AttrType = 20;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const int FloatType = 1, Int64Type = 7;

    private readonly OnnxGraph _graph;
    private readonly ProtoWriter _writer;
    private readonly byte[] _buffer = new byte[FloatBytes.ChunkBytes];
    private float[] _folded = new float[0];
    private int _next;

    /// <param name="metadata">The model's metadata_props (<see cref="OnnxMetadata"/>), in order.</param>
    public OnnxModelWriter(OnnxGraph graph, IReadOnlyList<KeyValuePair<string, string>> metadata, Stream output, string producerVersion)
    {
        _graph = graph;
        _writer = new ProtoWriter(output);

        var head = ProtoWriter.Encode(g =>
        {
            g.String(GraphName, "darknet");
            foreach (var node in graph.Nodes) g.Bytes(GraphNode, EncodeNode(node));
            foreach (var constant in graph.Constants) g.Bytes(GraphInitializer, EncodeConstant(constant));
            g.Bytes(GraphInput, EncodeValueInfo(graph.Input));
            foreach (var value in graph.OptionalInputs) g.Bytes(GraphInput, EncodeValueInfo(value));
            foreach (var value in graph.Outputs) g.Bytes(GraphOutput, EncodeValueInfo(value));
        });
        long graphLength = head.Length;
        foreach (var slot in graph.WeightSlots)
            graphLength += WeightFieldSize(slot.WeightsName, slot.WeightsDims) + WeightFieldSize(slot.BiasName, slot.BiasDims);

        // A protobuf message is limited to 2 GiB; bigger models would need ONNX's external data files.
        if (graphLength > int.MaxValue)
            throw new DarknetException(ErrorCodes.BadSize, $"the ONNX model would be {graphLength:N0} bytes: over protobuf's 2 GiB limit for one file");
        _writer.Int64(ModelIrVersion, IrVersion);
        _writer.String(ModelProducerName, "Darknet.Weights");
        _writer.String(ModelProducerVersion, producerVersion);
        _writer.Message(ModelOpsetImport, o => o.Int64(2, OpsetVersion));
        // StringStringEntryProto { key = 1; value = 2 }. Before the graph, which is streamed last.
        foreach (var entry in metadata)
            _writer.Message(ModelMetadataProps, e =>
            {
                e.String(1, entry.Key);
                e.String(2, entry.Value);
            });
        _writer.LengthPrefix(ModelGraph, graphLength);
        _writer.Output.Write(head, 0, head.Length);
    }

    public void Write(LayerParameters layer)
    {
        if (_next >= _graph.WeightSlots.Count)
            throw new InvalidOperationException($"the converter delivered more weighted layers than the graph has ({_graph.WeightSlots.Count})");
        var slot = _graph.WeightSlots[_next++];
        // The folded weights go through one reused array (grown to the largest layer): a fresh large array per layer
        // would pile up on the large-object heap between collections.
        var folded = WeightFolding.Fold(slot, layer, n => _folded.Length >= n ? _folded : (_folded = new float[n]));
        WriteWeight(slot.WeightsName, slot.WeightsDims, folded.Weights);
        WriteWeight(slot.BiasName, slot.BiasDims, folded.Bias);
    }

    public void Complete()
    {
        if (_next != _graph.WeightSlots.Count)
            throw new InvalidOperationException($"the graph has {_graph.WeightSlots.Count} weighted layers, the converter delivered {_next}");
        _writer.Output.Flush();
    }

    public void Dispose()
    {
    }

    private void WriteWeight(string name, long[] dims, float[] values)
    {
        long count = 1;
        foreach (var d in dims) count *= d;
        if (count > values.Length)
            throw new InvalidOperationException($"initializer {name}: {values.Length} values for {count} places");
        var head = EncodeTensorHead(name, dims, FloatType);
        long tensorLength = head.Length + ProtoWriter.FieldSize(TensorRawData, 4L * count);
        _writer.LengthPrefix(GraphInitializer, tensorLength);
        _writer.Output.Write(head, 0, head.Length);
        _writer.LengthPrefix(TensorRawData, 4L * count);
        FloatBytes.Write(_writer.Output, values, (int)count, _buffer);
    }

    private static long WeightFieldSize(string name, long[] dims)
    {
        long count = 1;
        foreach (var d in dims) count *= d;
        long tensorLength = EncodeTensorHead(name, dims, FloatType).Length + ProtoWriter.FieldSize(TensorRawData, 4L * count);
        return ProtoWriter.FieldSize(GraphInitializer, tensorLength);
    }

    private static byte[] EncodeTensorHead(string name, long[] dims, int dataType) => ProtoWriter.Encode(t =>
    {
        foreach (var d in dims) t.Int64(TensorDims, d);
        t.Int64(TensorDataType, dataType);
        t.String(TensorName, name);
    });

    private static byte[] EncodeConstant(ConstantTensor constant) => ProtoWriter.Encode(t =>
    {
        var head = EncodeTensorHead(constant.Name, constant.Dims, constant.Floats != null ? FloatType : Int64Type);
        t.Output.Write(head, 0, head.Length);
        byte[] raw;
        if (constant.Floats != null)
        {
            raw = new byte[4 * constant.Floats.Length];
            Buffer.BlockCopy(constant.Floats, 0, raw, 0, raw.Length);
            if (!BitConverter.IsLittleEndian) FloatBytes.SwapEvery4(raw, 0, raw.Length);
        }
        else
        {
            raw = new byte[8 * constant.Int64s!.Length];
            for (int i = 0; i < constant.Int64s.Length; i++)
            {
                var bytes = BitConverter.GetBytes(constant.Int64s[i]);
                if (!BitConverter.IsLittleEndian) Array.Reverse(bytes);
                bytes.CopyTo(raw, 8 * i);
            }
        }
        t.Bytes(TensorRawData, raw);
    });

    private static byte[] EncodeNode(OnnxNode node) => ProtoWriter.Encode(n =>
    {
        foreach (var input in node.Inputs) n.String(NodeInput, input);
        foreach (var output in node.Outputs) n.String(NodeOutput, output);
        n.String(NodeName, node.Name);
        n.String(NodeOpType, node.OpType);
        foreach (var attribute in node.Attributes)
        {
            n.Message(NodeAttribute, a =>
            {
                a.String(AttrName, attribute.Name);
                switch (attribute.Type)
                {
                    case OnnxAttribute.FloatType: a.Float(AttrF, attribute.FloatValue); break;
                    case OnnxAttribute.IntType: a.Int64(AttrI, attribute.IntValue); break;
                    case OnnxAttribute.StringType: a.String(AttrS, attribute.StringValue); break;
                    case OnnxAttribute.IntsType: foreach (var v in attribute.IntsValue) a.Int64(AttrInts, v); break;
                }
                a.Int64(AttrType, attribute.Type);
            });
        }
    });

    // ValueInfoProto { name = 1; type = 2 } / TypeProto { tensor_type = 1 } / Tensor { elem_type = 1; shape = 2 }
    // TensorShapeProto { dim = 1 } / Dimension { dim_value = 1; dim_param = 2 }
    private static byte[] EncodeValueInfo(ValueInfo value) => ProtoWriter.Encode(v =>
    {
        v.String(1, value.Name);
        v.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int64(1, value.Int64 ? Int64Type : FloatType);
            tensor.Message(2, shape =>
            {
                foreach (var dim in value.Dims)
                    shape.Message(1, d =>
                    {
                        if (dim is string symbol) d.String(2, symbol);
                        else d.Int64(1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
                    });
            });
        }));
    });
}
