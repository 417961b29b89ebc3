namespace Darknet.Weights;

/// <summary>
/// One weighted layer in the seed's layout, as the converter hands it to a sink and as the readers give it back:
/// <see cref="Weights"/> is (h, w, in, out) for a conv, (in, out) for a connected layer, null for [batchnorm];
/// <see cref="Biases"/> only without batch norm; <see cref="BatchNorm"/> = [gamma, beta, moving mean, moving variance].
/// </summary>
internal sealed class LayerParameters
{
    public LayerParameters(string name, Tensor? weights, Tensor? biases, Tensor[]? batchNorm)
    {
        Name = name;
        Weights = weights;
        Biases = biases;
        BatchNorm = batchNorm;
    }

    public string Name { get; }

    public Tensor? Weights { get; }

    public Tensor? Biases { get; }

    public Tensor[]? BatchNorm { get; }
}
