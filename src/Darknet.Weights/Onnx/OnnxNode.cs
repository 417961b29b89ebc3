using System.Collections.Generic;

namespace Darknet.Weights.Onnx;

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

    public OnnxNode WithAttribute(OnnxAttribute attribute)
    {
        Attributes.Add(attribute);
        return this;
    }
}
