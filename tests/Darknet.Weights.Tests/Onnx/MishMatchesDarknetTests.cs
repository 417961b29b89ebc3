using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// activation=mish, exported and run by ONNX Runtime over a sweep of inputs, against darknet's own function. pjreddie's
/// libdarknet has no mish, so the reference is AlexeyAB's activate_array_mish (src/activations.c) written out here:
/// <c>x · tanh_activate(softplus_activate(x, MISH_THRESHOLD = 20))</c>, softplus_activate being x above 20, expf(x)
/// below −20 and logf(expf(x) + 1) between, tanh_activate 2 / (1 + expf(−2x)) − 1 (src/activations.h). Twice: in double
/// with accurate functions (the function darknet computes, its branches included), and as darknet's float loop runs it,
/// whose own rounding is up to 1.3e-6 from that function (so the first is the yardstick, the second a check of it).
/// </summary>
public sealed class MishMatchesDarknetTests
{
    private const int Width = 1024;

    private readonly ITestOutputHelper _output;

    public MishMatchesDarknetTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Every_input_gives_darknets_mish()
    {
        var x = Sweep();
        var y = RunMish(x);

        Worst unit = new(), relative = new(), subnormal = new(), float32 = new(), float32Own = new();
        for (int i = 0; i < x.Length; i++)
        {
            double exact = ExactMish(x[i]);
            if (double.IsNaN(exact) || double.IsInfinity(exact))
            {
                Assert.True(exact.Equals((double)y[i]), $"mish({x[i]:R}) = {y[i]:R}, darknet's is {exact:R}");
                continue;
            }
            double error = Math.Abs(y[i] - exact);
            // Relative above 1, absolute below, as every comparison of outputs here (OnnxRun.MaxRelativeError).
            unit.Add(error / Math.Max(Math.Abs(exact), 1), x[i]);
            if (x[i] < LogMinNormal)
            {
                if (!y[i].Equals(-0f)) subnormal.Add(error / (Math.Abs((double)x[i]) * float.Epsilon), x[i]);
            }
            else if (Math.Abs(exact) >= MinNormal) relative.Add(error / Math.Abs(exact), x[i]);
            double loop = Float32Mish(x[i]);
            float32.Add(Math.Abs(y[i] - loop) / Math.Max(Math.Abs(loop), 1), x[i]);
            float32Own.Add(Math.Abs(loop - exact) / Math.Max(Math.Abs(exact), 1), x[i]);
        }
        _output.WriteLine($"{x.Length} inputs, vs darknet's function: |error| / max(|mish|, 1) {unit}; relative {relative} (eˣ and the " +
                          $"result normal floats); |error| / (|x|·float.Epsilon) {subnormal} (x < ln 2⁻¹²⁶, eˣ subnormal)");
        _output.WriteLine($"vs darknet's float32 loop: {float32}; that loop vs darknet's function: {float32Own}");
        Assert.True(unit.Value <= 1.5e-7, $"|error| / max(|mish|, 1) {unit}");
        // Five roundings of 2⁻²⁴ each and Exp's (under one ulp): within 4e-7.
        Assert.True(relative.Value <= 4e-7, $"relative error {relative}");
        // eˣ and n = eˣ(eˣ + 2) are multiples of float.Epsilon there, each rounded to one: the result is x·n/2 with n off by a
        // few float.Epsilon; or −0 (as darknet's float loop gives from x ≈ −16.6 down) where 2/n overflows, below
        // x ≈ −88.7, the function being under 2.6e-37 there.
        Assert.True(subnormal.Value <= 2, $"|error| / (|x|·float.Epsilon) {subnormal}");
        // The loop's own rounding (tanh_activate's 2 / (1 + e⁻²ˢ) − 1 and logf(expf(x) + 1) cancel for small s, returning −0
        // below x ≈ −16.6 where the function is about −1e-6): up to 1.3e-6 here.
        Assert.True(float32.Value <= 1.5e-6, $"vs darknet's float32 loop {float32}");
    }

    /// <summary>The largest of the values added, and the input where it was.</summary>
    private sealed class Worst
    {
        public double Value { get; private set; }

        private float _at;

        public void Add(double value, float at)
        {
            if (value > Value) (Value, _at) = (value, at);
        }

        public override string ToString() => $"{Value:E3} at x = {_at:R}";
    }

    private static readonly float LogMinNormal = MathF.Log(BitConverter.UInt32BitsToSingle(0x00800000));

    private static readonly double MinNormal = BitConverter.UInt32BitsToSingle(0x00800000);

    /// <summary>
    /// darknet's mish (its branches and threshold) evaluated in double with accurate functions: tanh for tanh_activate's
    /// 2 / (1 + e^(−2s)) − 1 and log1p for log(eˣ + 1), which are the same functions without float's cancellation.
    /// </summary>
    private static double ExactMish(float value)
    {
        double x = value;
        double softplus = x > 20 ? x : x < -20 ? Math.Exp(x) : Log1P(Math.Exp(x));
        return x * Math.Tanh(softplus);
    }

    private static double Log1P(double e)
    {
        double u = 1 + e;
        return u == 1 ? e : Math.Log(u) * e / (u - 1);
    }

    /// <summary>activate_array_mish's loop as darknet's CPU build runs it: float arithmetic and the C library's expf/logf.</summary>
    private static float Float32Mish(float x)
    {
        float softplus = x > 20f ? x : x < -20f ? MathF.Exp(x) : MathF.Log(MathF.Exp(x) + 1);
        return x * (2 / (1 + MathF.Exp(-2 * softplus)) - 1);
    }

    /// <summary>
    /// Every 4093rd float bit pattern from the smallest subnormal to float.MaxValue and its negative, a grid of step
    /// 1/4096 over [−30, 30], every float within 0.1 of ±20 (the threshold), zeros, infinities and NaN.
    /// </summary>
    private static float[] Sweep()
    {
        var values = new List<float>();
        for (uint bits = 1; bits < 0x7F800000; bits += 4093)
        {
            var v = BitConverter.UInt32BitsToSingle(bits);
            values.Add(v);
            values.Add(-v);
        }
        for (int i = -30 * 4096; i <= 30 * 4096; i++) values.Add(i / 4096f);
        for (float v = 19.9f; v <= 20.1f; v = MathF.BitIncrement(v))
        {
            values.Add(v);
            values.Add(-v);
        }
        values.AddRange(new[]
        {
            0f, -0f, float.Epsilon, -float.Epsilon, (float)MinNormal, -(float)MinNormal, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, 20f, -20f, 88.72f, -88.72f, -103.9f,
        });
        while (values.Count % Width != 0) values.Add(0f);
        return values.ToArray();
    }

    /// <summary>The exported model of a 1×1 convolution with weight 1 and bias 0 (the identity) and activation=mish.</summary>
    private static float[] RunMish(float[] x)
    {
        using var temp = new TempDirectory();
        int height = x.Length / Width;
        var cfg = temp.File("mish.cfg");
        File.WriteAllText(cfg, $"[net]\nwidth={Width}\nheight={height}\nchannels=1\n\n[convolutional]\nfilters=1\nsize=1\nstride=1\nactivation=mish\n");
        var weights = temp.File("mish.weights");
        using (var file = File.Create(weights))
        {
            file.Write(SyntheticWeights.Header(0, 2, 0));
            file.Write(BitConverter.GetBytes(0f)); // bias
            file.Write(BitConverter.GetBytes(1f)); // weight
        }
        var onnx = temp.File("mish.onnx");
        OnnxExporter.ExportFile(cfg, weights, onnx);
        var (_, _, values) = Assert.Single(OnnxRun.Run(onnx, x, 1, height, Width));
        return values;
    }
}
