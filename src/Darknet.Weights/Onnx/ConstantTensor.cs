namespace Darknet.Weights.Onnx;

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
