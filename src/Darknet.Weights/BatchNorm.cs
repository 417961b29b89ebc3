namespace Darknet.Weights;

/// <summary>
/// A layer's batch normalisation, one value per output channel each:
/// <c>y = Gamma * (x - MovingMean) / sqrt(MovingVariance + epsilon) + Beta</c>.
/// The <c>.npy</c> holds them as the list <c>'bn'</c> = [gamma, beta, moving mean, moving variance].
/// </summary>
public sealed class BatchNorm
{
    internal BatchNorm(Tensor[] parameters)
    {
        Gamma = new Float32Array(parameters[0]);
        Beta = new Float32Array(parameters[1]);
        MovingMean = new Float32Array(parameters[2]);
        MovingVariance = new Float32Array(parameters[3]);
    }

    /// <summary>The scale (darknet's <c>scales</c>).</summary>
    public Float32Array Gamma { get; }

    /// <summary>The shift (darknet's <c>biases</c> of a batch-normalised layer).</summary>
    public Float32Array Beta { get; }

    /// <summary>The running mean (darknet's <c>rolling_mean</c>).</summary>
    public Float32Array MovingMean { get; }

    /// <summary>The running variance (darknet's <c>rolling_variance</c>).</summary>
    public Float32Array MovingVariance { get; }
}
