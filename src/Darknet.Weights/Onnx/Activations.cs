using System;

namespace Darknet.Weights.Onnx;

/// <summary>
/// Darknet's activation functions (activations.h) as ONNX nodes, each computing darknet's formula:
/// leaky is 0.1·x below zero, relie 0.01·x, ramp x·(x&gt;0) + 0.1·x, loggy 2·σ(x) − 1, selu 1.0507·(x or 1.6732·(eˣ−1)),
/// hardtan clamps to [−1, 1], lhtan and plse are darknet's piecewise-linear curves, mish x·tanh(softplus(x)), swish x·σ(x).
/// </summary>
internal static class Activations
{
    /// <summary>Emits nodes computing <paramref name="activation"/> of <paramref name="input"/> into <paramref name="output"/>.</summary>
    public static void Apply(GraphBuilder g, string activation, string input, string output, Func<string, DarknetException> unsupported)
    {
        switch (activation) // darknet compares with strcmp: "LEAKY" is not leaky (darknet falls back to relu; we refuse)
        {
            case "linear": g.Node("Identity", output, input); break;
            case "logistic": g.Node("Sigmoid", output, input); break;
            case "relu": g.Node("Relu", output, input); break;
            case "leaky": g.Node("LeakyRelu", output, input).Attributes.Add(OnnxAttribute.Float("alpha", 0.1f)); break;
            case "relie": g.Node("LeakyRelu", output, input).Attributes.Add(OnnxAttribute.Float("alpha", 0.01f)); break;
            case "tanh": g.Node("Tanh", output, input); break;
            case "elu": g.Node("Elu", output, input).Attributes.Add(OnnxAttribute.Float("alpha", 1f)); break;
            case "selu":
            {
                var node = g.Node("Selu", output, input);
                node.Attributes.Add(OnnxAttribute.Float("alpha", 1.6732f));
                node.Attributes.Add(OnnxAttribute.Float("gamma", 1.0507f));
                break;
            }
            case "hardtan":
                g.Node("Clip", output, input, g.Scalar(-1f), g.Scalar(1f));
                break;
            case "ramp":
                g.Node("Add", output, g.Node("Relu", output + "/relu", input).Outputs[0], g.Node("Mul", output + "/tenth", input, g.Scalar(0.1f)).Outputs[0]);
                break;
            case "loggy":
            {
                var twice = g.Node("Mul", output + "/twice", g.Node("Sigmoid", output + "/sigmoid", input).Outputs[0], g.Scalar(2f)).Outputs[0];
                g.Node("Sub", output, twice, g.Scalar(1f));
                break;
            }
            case "lhtan":
                // x < 0: .001x; x > 1: .001(x − 1) + 1; else x  ==  min(max(x, .001x), .001x + .999)
                Lhtan(g, input, output);
                break;
            case "plse":
                // x < −4: .01(x + 4); x > 4: .01(x − 4) + 1; else .125x + .5  ==  min(max(.01x + .04, .125x + .5), .01x + .96)
                PiecewiseThree(g, input, output);
                break;
            case "mish":
                Mish(g, input, output);
                break;
            case "swish":
                g.Node("Mul", output, input, g.Node("Sigmoid", output + "/sigmoid", input).Outputs[0]);
                break;
            default:
                throw unsupported($"activation={activation} cannot be exported (supported: linear, logistic, relu, leaky, relie, ramp, tanh, elu, selu, loggy, hardtan, lhtan, plse, mish, swish)");
        }
    }

    /// <summary>
    /// x·tanh(softplus(x)) as x / (1 + 2/n) with n = eˣ(eˣ + 2): tanh(ln(1 + eˣ)) = ((1 + eˣ)² − 1) / ((1 + eˣ)² + 1)
    /// = n / (n + 2). ONNX Runtime runs these elementwise ops far faster than its Softplus (docs/benchmarks.md), and they
    /// do not cancel for negative x (2/n ≈ e⁻ˣ there). darknet's softplus threshold, 20, needs no op of its own: above
    /// it darknet's softplus is x and the tanh of that 1 in float, and 1 + 2/n is 1 in float there (n &gt; e⁴⁰, or inf
    /// once eˣ overflows); below −20 darknet's softplus is eˣ, whose tanh differs from n / (n + 2) by a factor
    /// 1 + O(eˣ), far below float's resolution. No clamp, so nothing but Exp, Add, Mul and Div (OpenCV 4.6's importer
    /// takes Min and Clip of a constant neither).
    /// </summary>
    private static void Mish(GraphBuilder g, string input, string output)
    {
        var e = g.Node("Exp", output + "/exp", input).Outputs[0];
        var n = g.Node("Mul", output + "/n", e, g.Node("Add", output + "/e_plus_2", e, g.Scalar(2f)).Outputs[0]).Outputs[0];
        var twoOverN = g.Node("Div", output + "/two_over_n", g.Scalar(2f), n).Outputs[0];
        g.Node("Div", output, input, g.Node("Add", output + "/one_plus", twoOverN, g.Scalar(1f)).Outputs[0]);
    }

    private static void Lhtan(GraphBuilder g, string input, string output)
    {
        var lower = g.Node("Max", output + "/max", input, g.Node("Mul", output + "/low", input, g.Scalar(0.001f)).Outputs[0]).Outputs[0];
        var high = g.Node("Add", output + "/high", g.Node("Mul", output + "/high_mul", input, g.Scalar(0.001f)).Outputs[0], g.Scalar(0.999f)).Outputs[0];
        g.Node("Min", output, lower, high);
    }

    private static void PiecewiseThree(GraphBuilder g, string input, string output)
    {
        string Line(string name, float slope, float bias) =>
            g.Node("Add", output + "/" + name, g.Node("Mul", output + "/" + name + "_mul", input, g.Scalar(slope)).Outputs[0], g.Scalar(bias)).Outputs[0];
        var lower = g.Node("Max", output + "/max", Line("low", 0.01f, 0.04f), Line("middle", 0.125f, 0.5f)).Outputs[0];
        g.Node("Min", output, lower, Line("high", 0.01f, 0.96f));
    }
}
