namespace Darknet.Weights.Onnx
{
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
