using Darknet.Weights.Layout;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Conversion;

/// <summary>
/// The test's own statement of where each value of a layer sits in the .weights file (darknet's parser.c order) and
/// where it must land in the seed's layout; used to spot-check converted layers against <see cref="SyntheticWeights.At"/>.
/// </summary>
internal static class ParameterLayout
{
    /// <summary>Checks shapes, then the listed or sampled positions of every array of <paramref name="p"/>.</summary>
    public static void Check(LayerInfo layer, LayerParameters p, long start, uint seed, bool transposeConnected = false, int samples = 16)
    {
        float F(long index) => SyntheticWeights.At(seed, index);
        var random = new Random(layer.Index);
        switch (layer.Type)
        {
            case LayerType.Convolutional:
            case LayerType.Deconvolutional:
            {
                bool deconv = layer.Type == LayerType.Deconvolutional;
                CheckConvolution(layer.Filters, layer.InputChannels, deconv ? 1 : Math.Max(1, layer.Groups), layer.Size, layer.BatchNormalize,
                    deconv, layer.Flipped, p, start, F, random, samples);
                break;
            }
            case LayerType.Connected:
            {
                int n = layer.Filters, inputs = layer.Inputs;
                Assert.Equal(new[] { inputs, n }, p.Weights!.Shape);
                var picks = new List<(int, int)> { (0, 0), (n - 1, inputs - 1), (0, inputs - 1), (n - 1, 0) };
                for (int s = 0; s < samples; s++) picks.Add((random.Next(n), random.Next(inputs)));
                foreach (var (o, i) in picks)
                {
                    long filePos = transposeConnected ? (long)i * n + o : (long)o * inputs + i;
                    Assert.Equal(F(start + n + filePos), p.Weights.Data[(long)i * n + o]);
                }
                long after = start + n + (long)n * inputs;
                if (layer.BatchNormalize)
                {
                    Assert.Null(p.Biases);
                    Assert.Equal(4, p.BatchNorm!.Length);
                    for (int j = 0; j < n; j++)
                    {
                        Assert.Equal(F(after + j), p.BatchNorm[0].Data[j]);        // gamma
                        Assert.Equal(F(start + j), p.BatchNorm[1].Data[j]);        // the bias serves as beta
                        Assert.Equal(F(after + n + j), p.BatchNorm[2].Data[j]);    // mean
                        Assert.Equal(F(after + 2 * n + j), p.BatchNorm[3].Data[j]); // variance
                    }
                }
                else
                {
                    Assert.Null(p.BatchNorm);
                    Assert.Equal(Enumerable.Range(0, n).Select(j => F(start + j)), p.Biases!.Data);
                }
                break;
            }
            case LayerType.BatchNorm:
            {
                int c = layer.OutputChannels;
                Assert.Null(p.Weights);
                Assert.Null(p.Biases);
                Assert.Equal(4, p.BatchNorm!.Length);
                Assert.All(p.BatchNorm, t => Assert.Equal(new[] { c }, t.Shape));
                Assert.Equal(Enumerable.Range(0, c).Select(j => F(start + j)), p.BatchNorm[0].Data);
                Assert.All(p.BatchNorm[1].Data, v => Assert.Equal(0f, v));
                Assert.Equal(Enumerable.Range(0, c).Select(j => F(start + c + j)), p.BatchNorm[2].Data);
                Assert.Equal(Enumerable.Range(0, c).Select(j => F(start + 2 * c + j)), p.BatchNorm[3].Data);
                break;
            }
            case LayerType.Shortcut:
            {
                // AlexeyAB's weighted shortcut: (inputs,) or (inputs, channels), input-major as in the file; nothing else.
                int inputs = layer.Sources.Count + 1;
                int[] shape = layer.ShortcutWeights == ShortcutWeights.PerChannel ? new[] { inputs, layer.OutputChannels } : new[] { inputs };
                Assert.Equal(shape, p.Weights!.Shape);
                Assert.Null(p.Biases);
                Assert.Null(p.BatchNorm);
                Assert.Equal(Enumerable.Range(0, p.Weights.Data.Length).Select(j => F(start + j)), p.Weights.Data);
                break;
            }
            default:
                throw new Xunit.Sdk.XunitException($"layer {layer.Index} of type {layer.Type} has no weights to check");
        }
    }

    /// <summary>
    /// Checks the arrays of weighted layer <paramref name="layer"/>, which start at <paramref name="first"/> in
    /// <paramref name="converted"/> and at float <paramref name="start"/> of the file; returns how many arrays it has:
    /// one, or three for [crnn] (parser.c's load_weights_upto: its input, self and output convolutions, in that order).
    /// </summary>
    public static int CheckLayer(LayerInfo layer, IReadOnlyList<LayerParameters> converted, int first, long start, uint seed)
    {
        if (layer.Type != LayerType.Crnn)
        {
            Check(layer, converted[first], start, seed);
            return 1;
        }
        float F(long index) => SyntheticWeights.At(seed, index);
        var random = new Random(layer.Index);
        int k = layer.Size, groups = Math.Max(1, layer.Groups), bnFactor = layer.BatchNormalize ? 4 : 1;
        var parts = new[] { (layer.Hidden, layer.InputChannels), (layer.Hidden, layer.Hidden), (layer.Filters, layer.Hidden) };
        foreach (var (n, inputs) in parts)
        {
            CheckConvolution(n, inputs, groups, k, layer.BatchNormalize, deconv: false, flipped: false, converted[first++], start, F, random, 16);
            start += (long)n * bnFactor + (long)n * (inputs / groups) * k * k;
        }
        return 3;
    }

    private static void CheckConvolution(int n, int inputChannels, int groups, int k, bool batchNormalize, bool deconv, bool flipped,
        LayerParameters p, long start, Func<long, float> F, Random random, int samples)
    {
        int d0 = deconv ? inputChannels : n;
        int d1 = deconv ? n : inputChannels / groups;
        long w0 = start + (batchNormalize ? 4 * n : n);
        CheckVectors(p, batchNormalize, n, start, F);
        Assert.Equal(new[] { k, k, d1, d0 }, p.Weights!.Shape);
        var picks = new List<(int, int, int, int)> { (0, 0, 0, 0), (d0 - 1, d1 - 1, k - 1, k - 1), (d0 - 1, 0, 0, k - 1), (0, d1 - 1, k - 1, 0) };
        for (int s = 0; s < samples; s++) picks.Add((random.Next(d0), random.Next(d1), random.Next(k), random.Next(k)));
        foreach (var (a, b, y, x) in picks)
        {
            // darknet's (out, in, k, k) order, or, flipped=1, its transpose (in·k·k, out) as the file holds it
            long position = flipped ? (((long)b * k + y) * k + x) * d0 + a : (((long)a * d1 + b) * k + y) * k + x;
            Assert.Equal(F(w0 + position), p.Weights.Data[(((long)y * k + x) * d1 + b) * d0 + a]);
        }
    }

    private static void CheckVectors(LayerParameters p, bool batchNormalize, int n, long start, Func<long, float> F)
    {
        if (batchNormalize)
        {
            Assert.Null(p.Biases);
            Assert.Equal(4, p.BatchNorm!.Length);
            Assert.All(p.BatchNorm, t => Assert.Equal(new[] { n }, t.Shape));
            // file: beta, gamma, mean, variance; seed: gamma, beta, mean, variance
            int[] fileSlot = { 1, 0, 2, 3 };
            for (int b = 0; b < 4; b++)
                foreach (var j in new[] { 0, n / 2, n - 1 })
                    Assert.Equal(F(start + fileSlot[b] * n + j), p.BatchNorm[b].Data[j]);
        }
        else
        {
            Assert.Null(p.BatchNorm);
            Assert.Equal(new[] { n }, p.Biases!.Shape);
            Assert.Equal(Enumerable.Range(0, n).Select(j => F(start + j)), p.Biases.Data);
        }
    }
}
