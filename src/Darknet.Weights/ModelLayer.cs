namespace Darknet.Weights;

/// <summary>
/// One weighted layer of a <see cref="ModelFile"/>: a convolution has <see cref="Weights"/> and either
/// <see cref="BatchNorm"/> or <see cref="Biases"/>; a <c>[batchnorm]</c> layer has only <see cref="BatchNorm"/>.
/// </summary>
public sealed class ModelLayer
{
    internal ModelLayer(LayerParameters layer)
    {
        Name = layer.Name;
        Weights = Float32Array.Of(layer.Weights);
        Biases = Float32Array.Of(layer.Biases);
        BatchNorm = layer.BatchNorm == null ? null : new BatchNorm(layer.BatchNorm);
    }

    /// <summary>The layer's name in the file, such as <c>conv_1</c> or <c>conv_1_7</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The kernel: (height, width, input channels / groups, filters) for a convolution, (inputs, outputs) for a
    /// connected layer; null for a <c>[batchnorm]</c> layer.
    /// </summary>
    public Float32Array? Weights { get; }

    /// <summary>One bias per output, for a layer without batch normalisation; otherwise null.</summary>
    public Float32Array? Biases { get; }

    /// <summary>The batch normalisation parameters, for a layer with batch normalisation; otherwise null.</summary>
    public BatchNorm? BatchNorm { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
