using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>Runs an exported model with ONNX Runtime on one NCHW input.</summary>
internal static class OnnxRun
{
    public static IReadOnlyList<(string Name, int[] Shape, float[] Values)> Run(string modelPath, float[] input, int channels, int height, int width, int batch = 1)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(modelPath, options);
        var tensor = new DenseTensor<float>(input, new[] { batch, channels, height, width });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", tensor) });
        return results.Select(r =>
        {
            var t = r.AsTensor<float>();
            return (r.Name, t.Dimensions.ToArray(), t.ToArray());
        }).ToList();
    }

    /// <summary>
    /// max over elements of |a − b| / max(|b|, 1): relative where values are large, absolute near zero (activations are
    /// unit-scale). When every expected value is positive (a softmax output, all ≈ 1/classes) it is |a − b| / b, so a
    /// flat softmax cannot hide an error.
    /// </summary>
    public static double MaxRelativeError(float[] actual, float[] expected)
    {
        if (actual.Length != expected.Length) throw new ArgumentException($"{actual.Length} values vs {expected.Length}");
        double floor = expected.All(v => v > 0) ? 0.0 : 1.0;
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = Math.Abs((double)actual[i] - expected[i]) / Math.Max(Math.Abs((double)expected[i]), floor);
            if (double.IsNaN(e) || double.IsNaN(actual[i]) != double.IsNaN(expected[i])) return double.PositiveInfinity;
            worst = Math.Max(worst, e);
        }
        return worst;
    }
}
