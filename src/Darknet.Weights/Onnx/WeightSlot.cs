namespace Darknet.Weights.Onnx;

internal enum WeightKind
{
    Convolutional,
    Connected,
    BatchNorm,
}

/// <summary>
/// Where one weighted darknet layer's parameters go: a convolution's (out, in/groups, k, k) weights and (out) bias, a
/// connected layer's (outputs, inputs) matrix and (outputs) bias, or a standalone batch norm's (c, 1, 1) scale and shift.
/// </summary>
internal sealed class WeightSlot
{
    public WeightSlot(WeightKind kind, string layerName, string weightsName, long[] weightsDims, string biasName, long[] biasDims, bool binarized = false)
    {
        Binarized = binarized;
        Kind = kind;
        LayerName = layerName;
        WeightsName = weightsName;
        WeightsDims = weightsDims;
        BiasName = biasName;
        BiasDims = biasDims;
    }

    public WeightKind Kind { get; }

    /// <summary>"layer 12 ([convolutional] at line 80)": for messages.</summary>
    public string LayerName { get; }

    public string WeightsName { get; }

    public long[] WeightsDims { get; }

    public string BiasName { get; }

    public long[] BiasDims { get; }

    /// <summary>An xnor=1 convolution's: each filter's weights become ±(the mean of their absolute values) before batch norm folds in.</summary>
    public bool Binarized { get; }
}
