using System;

namespace Darknet.Weights.Onnx;

/// <summary>
/// One darknet layer's parameters (as the converter reads them) into the ONNX tensors of its slot, with batch norm
/// folded into weights and bias the way darknet computes it at inference:
/// <c>(x − mean) / (sqrt(var) + .000001) · γ + β</c>, so scale = γ / (sqrt(var) + 1e-6) and bias = β − mean · scale.
/// (ONNX's BatchNormalization would compute sqrt(var + ε), a different number for small variances.) An xnor=1
/// convolution's weights are binarized first, as darknet's forward pass does before its batch norm.
/// </summary>
internal static class WeightFolding
{
    public const double DarknetEpsilon = .000001;

    /// <summary>
    /// The slot's weights (in <paramref name="take"/>(n)'s array, which may be longer: the first n values count) and bias.
    /// </summary>
    public static (float[] Weights, float[] Bias) Fold(WeightSlot slot, LayerParameters layer, Func<int, float[]> take)
    {
        switch (slot.Kind)
        {
            case WeightKind.Convolutional: return Convolutional(slot, layer, take);
            case WeightKind.Connected: return Connected(slot, layer, take);
            default: return BatchNorm(slot, layer);
        }
    }

    // The converter gives (k, k, in, out); ONNX's Conv wants (out, in, k, k), darknet's own order.
    private static (float[], float[]) Convolutional(WeightSlot slot, LayerParameters layer, Func<int, float[]> take)
    {
        var w = Require(slot, layer.Weights, "weights");
        int k = w.Shape[0], inputs = w.Shape[2], outputs = w.Shape[3];
        Check(slot, w.Shape[1] == k && outputs == slot.WeightsDims[0] && inputs == slot.WeightsDims[1] && k == slot.WeightsDims[2],
            $"weights {w.ShapeText}");
        var (scale, bias) = ScaleAndBias(slot, layer, outputs);
        var result = take(w.Data.Length);
        var source = w.Data;
        var means = slot.Binarized ? BinarizedMeans(source, k, inputs, outputs) : null;
        int kk = k * k;
        for (int y = 0; y < k; y++)
        for (int x = 0; x < k; x++)
        for (int i = 0; i < inputs; i++)
        {
            int from = ((y * k + x) * inputs + i) * outputs;
            int to = i * kk + y * k + x;
            for (int o = 0; o < outputs; o++)
            {
                float v = source[from + o];
                if (means != null) v = v > 0 ? means[o] : -means[o];
                result[o * inputs * kk + to] = scale == null ? v : (float)(v * scale[o]);
            }
        }
        return (result, bias);
    }

    // binarize_weights: per output filter, the float mean of |w| summed in darknet's (in, y, x) order; w > 0 gets +mean.
    private static float[] BinarizedMeans(float[] source, int k, int inputs, int outputs)
    {
        var means = new float[outputs];
        for (int o = 0; o < outputs; o++)
        {
            float sum = 0;
            for (int i = 0; i < inputs; i++)
            for (int y = 0; y < k; y++)
            for (int x = 0; x < k; x++)
                sum += Math.Abs(source[((y * k + x) * inputs + i) * outputs + o]);
            means[o] = sum / (inputs * k * k);
        }
        return means;
    }

    // The converter gives (inputs, outputs); Gemm takes B as (outputs, inputs) with transB=1, darknet's own order, which
    // is the one layout OpenCV's importer reads (it ignores an absent transB and takes B's first axis as the outputs).
    private static (float[], float[]) Connected(WeightSlot slot, LayerParameters layer, Func<int, float[]> take)
    {
        var w = Require(slot, layer.Weights, "weights");
        int inputs = w.Shape[0], outputs = w.Shape[1];
        Check(slot, outputs == slot.WeightsDims[0] && inputs == slot.WeightsDims[1], $"weights {w.ShapeText}");
        var (scale, bias) = ScaleAndBias(slot, layer, outputs);
        var result = take(w.Data.Length);
        for (int i = 0; i < inputs; i++)
        for (int o = 0; o < outputs; o++)
            result[o * inputs + i] = scale == null ? w.Data[i * outputs + o] : (float)(w.Data[i * outputs + o] * scale[o]);
        return (result, bias);
    }

    private static (float[], float[]) BatchNorm(WeightSlot slot, LayerParameters layer)
    {
        int c = (int)slot.BiasDims[0];
        var (scale, bias) = ScaleAndBias(slot, layer, c);
        var scales = new float[c];
        for (int i = 0; i < c; i++) scales[i] = (float)scale![i];
        return (scales, bias);
    }

    private static (double[]? Scale, float[] Bias) ScaleAndBias(WeightSlot slot, LayerParameters layer, int n)
    {
        if (layer.BatchNorm == null)
        {
            var b = Require(slot, layer.Biases, "biases");
            Check(slot, b.Data.Length == n, $"biases {b.ShapeText}");
            return (null, b.Data);
        }
        var gamma = layer.BatchNorm[0].Data;
        var beta = layer.BatchNorm[1].Data;
        var mean = layer.BatchNorm[2].Data;
        var variance = layer.BatchNorm[3].Data;
        Check(slot, gamma.Length == n && beta.Length == n && mean.Length == n && variance.Length == n, "batch norm vectors");
        var scale = new double[n];
        var bias = new float[n];
        for (int i = 0; i < n; i++)
        {
            scale[i] = gamma[i] / (Math.Sqrt(variance[i]) + DarknetEpsilon);
            bias[i] = (float)(beta[i] - mean[i] * scale[i]);
        }
        return (scale, bias);
    }

    private static Tensor Require(WeightSlot slot, Tensor? tensor, string what) =>
        tensor ?? throw new InvalidOperationException($"{slot.LayerName}: the converter delivered no {what}");

    private static void Check(WeightSlot slot, bool ok, string what)
    {
        if (!ok) throw new InvalidOperationException($"{slot.LayerName}: the converter's {what} do not match the graph's {string.Join("x", slot.WeightsDims)}");
    }
}
