namespace Darknet.Weights.Onnx;

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
