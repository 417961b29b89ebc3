using System.Collections.Generic;

namespace Darknet.Weights.Onnx
{
    /// <summary>
    /// The exported network before it is written: nodes in topological order, small constant tensors held in memory,
    /// and the weight tensors, which are only named and shaped here: their values arrive later, one darknet layer at a
    /// time, while the file is written (<see cref="OnnxModelWriter"/>).
    /// </summary>
    internal sealed class OnnxGraph
    {
        public List<OnnxNode> Nodes { get; } = new List<OnnxNode>();

        public List<ConstantTensor> Constants { get; } = new List<ConstantTensor>();

        /// <summary>One per weighted darknet layer, in .weights file order.</summary>
        public List<WeightSlot> WeightSlots { get; } = new List<WeightSlot>();

        public ValueInfo Input { get; set; } = null!;

        public List<ValueInfo> Outputs { get; } = new List<ValueInfo>();
    }

    internal sealed class OnnxNode
    {
        public OnnxNode(string opType, string name, string[] inputs, string[] outputs)
        {
            OpType = opType;
            Name = name;
            Inputs = inputs;
            Outputs = outputs;
        }

        public string OpType { get; }

        public string Name { get; }

        public string[] Inputs { get; }

        public string[] Outputs { get; }

        public List<OnnxAttribute> Attributes { get; } = new List<OnnxAttribute>();
    }

    internal sealed class OnnxAttribute
    {
        // AttributeProto.AttributeType
        public const int FloatType = 1;
        public const int IntType = 2;
        public const int StringType = 3;
        public const int IntsType = 7;

        private OnnxAttribute(string name, int type)
        {
            Name = name;
            Type = type;
        }

        public string Name { get; }

        public int Type { get; }

        public float FloatValue { get; private set; }

        public long IntValue { get; private set; }

        public string StringValue { get; private set; } = "";

        public long[] IntsValue { get; private set; } = new long[0];

        public static OnnxAttribute Float(string name, float value) => new OnnxAttribute(name, FloatType) { FloatValue = value };

        public static OnnxAttribute Int(string name, long value) => new OnnxAttribute(name, IntType) { IntValue = value };

        public static OnnxAttribute String(string name, string value) => new OnnxAttribute(name, StringType) { StringValue = value };

        public static OnnxAttribute Ints(string name, params long[] values) => new OnnxAttribute(name, IntsType) { IntsValue = values };
    }

    /// <summary>A small float32 or int64 initializer (shapes, slice bounds, scalars).</summary>
    internal sealed class ConstantTensor
    {
        public ConstantTensor(string name, long[] dims, float[]? floats, long[]? int64s)
        {
            Name = name;
            Dims = dims;
            Floats = floats;
            Int64s = int64s;
        }

        public string Name { get; }

        public long[] Dims { get; }

        public float[]? Floats { get; }

        public long[]? Int64s { get; }
    }

    internal enum WeightKind
    {
        Convolutional,
        Connected,
        BatchNorm,
    }

    /// <summary>
    /// Where one weighted darknet layer's parameters go: a convolution's (out, in/groups, k, k) weights and (out) bias, a
    /// connected layer's (inputs, outputs) matrix and (outputs) bias, or a standalone batch norm's (c, 1, 1) scale and shift.
    /// </summary>
    internal sealed class WeightSlot
    {
        public WeightSlot(WeightKind kind, string layerName, string weightsName, long[] weightsDims, string biasName, long[] biasDims)
        {
            Kind = kind;
            LayerName = layerName;
            WeightsName = weightsName;
            WeightsDims = weightsDims;
            BiasName = biasName;
            BiasDims = biasDims;
        }

        public WeightKind Kind { get; }

        /// <summary>"layer 12 ([convolutional] at line 80)": for messages.</summary>
        public string LayerName { get; }

        public string WeightsName { get; }

        public long[] WeightsDims { get; }

        public string BiasName { get; }

        public long[] BiasDims { get; }
    }

    /// <summary>A graph input or output: float32 with a shape whose dimensions are numbers or names (symbolic).</summary>
    internal sealed class ValueInfo
    {
        public ValueInfo(string name, object[] dims)
        {
            Name = name;
            Dims = dims;
        }

        public string Name { get; }

        /// <summary>Each a long (fixed) or a string (dim_param).</summary>
        public object[] Dims { get; }
    }
}
