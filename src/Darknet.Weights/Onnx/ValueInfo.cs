namespace Darknet.Weights.Onnx;

/// <summary>A graph input or output: float32 (or int64) with a shape whose dimensions are numbers or names (symbolic).</summary>
internal sealed class ValueInfo
{
    public ValueInfo(string name, object[] dims, bool int64 = false)
    {
        Name = name;
        Dims = dims;
        Int64 = int64;
    }

    public string Name { get; }

    /// <summary>Each a long (fixed) or a string (dim_param).</summary>
    public object[] Dims { get; }

    /// <summary>An int64 tensor rather than float32.</summary>
    public bool Int64 { get; }
}
