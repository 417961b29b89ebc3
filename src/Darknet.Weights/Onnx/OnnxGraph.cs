using System.Collections.Generic;

namespace Darknet.Weights.Onnx;

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

    /// <summary>Inputs a caller may leave out: each has an initializer of its name among <see cref="Constants"/>, its default.</summary>
    public List<ValueInfo> OptionalInputs { get; } = new List<ValueInfo>();

    public List<ValueInfo> Outputs { get; } = new List<ValueInfo>();
}
