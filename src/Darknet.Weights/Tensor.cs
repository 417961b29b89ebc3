using System;

namespace Darknet.Weights
{
    /// <summary>A C-contiguous float32 array with its shape.</summary>
    internal sealed class Tensor
    {
        public Tensor(int[] shape, float[] data)
        {
            long count = 1;
            foreach (var d in shape) count *= d;
            if (count != data.Length)
                throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {count} values, data has {data.Length}");
            Shape = shape;
            Data = data;
        }

        public int[] Shape { get; }

        public float[] Data { get; }

        public string ShapeText => "(" + string.Join(", ", Shape) + (Shape.Length == 1 ? ",)" : ")");
    }
}
