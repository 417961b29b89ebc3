namespace Darknet.Weights
{
    /// <summary>Reorders darknet's weight arrays into the seed's layouts.</summary>
    internal static class WeightTransposition
    {
        /// <summary>
        /// Darknet's conv weights (out, in, h, w) to (h, w, in, out): numpy's <c>transpose(2, 3, 1, 0)</c>, C-contiguous.
        /// </summary>
        public static float[] ConvToHwio(float[] source, int outChannels, int inChannels, int height, int width)
        {
            var result = new float[(long)outChannels * inChannels * height * width];
            int plane = height * width;
            int src = 0;
            for (int o = 0; o < outChannels; o++)
            {
                for (int i = 0; i < inChannels; i++)
                {
                    // (y, x, i, o) lands at ((y*w + x)*in + i)*out + o: walk the h*w plane with a stride of in*out.
                    int dst = i * outChannels + o;
                    int stride = inChannels * outChannels;
                    for (int p = 0; p < plane; p++)
                    {
                        result[dst] = source[src++];
                        dst += stride;
                    }
                }
            }
            return result;
        }

        /// <summary>A (rows, cols) C-order matrix to (cols, rows).</summary>
        public static float[] Matrix(float[] source, int rows, int cols)
        {
            var result = new float[(long)rows * cols];
            int src = 0;
            for (int r = 0; r < rows; r++)
            {
                int dst = r;
                for (int c = 0; c < cols; c++)
                {
                    result[dst] = source[src++];
                    dst += rows;
                }
            }
            return result;
        }
    }
}
