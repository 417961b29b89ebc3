using Darknet.Weights.Config;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// AlexeyAB's [scale_channels] (a squeeze-and-excitation block) and [sam] against OpenCV's Darknet importer. The
/// layout reader does not take these sections yet, so the test reads its own weights file (it wrote it, and knows its
/// order) into layers and drives the graph builder and the model writer directly.
/// </summary>
public sealed class ScaleChannelsAndSamTests
{
    private const string Cfg = """
        [net]
        width=16
        height=12
        channels=3

        [convolutional]
        batch_normalize=1
        filters=8
        size=3
        pad=1
        activation=leaky

        [avgpool]

        [convolutional]
        filters=8
        size=1
        activation=logistic

        [scale_channels]
        from=-3

        [convolutional]
        filters=8
        size=1
        activation=logistic

        [sam]
        from=-2

        [convolutional]
        filters=4
        size=1
        activation=linear
        """;

    // (filters, inputs, size, batch norm) of each conv, in file order.
    private static readonly (int N, int C, int K, bool Bn)[] Convs = { (8, 3, 3, true), (8, 8, 1, false), (8, 8, 1, false), (4, 8, 1, false) };

    private readonly ITestOutputHelper _output;

    public ScaleChannelsAndSamTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public void The_output_equals_opencvs()
    {
        OpenCvDarknet.Require();
        using var temp = new TempDirectory();
        var cfgPath = temp.File("se.cfg");
        File.WriteAllText(cfgPath, Cfg);
        var weightsPath = temp.File("se.weights");
        var layers = WriteWeights(weightsPath);

        var graph = GraphBuilder.Build(CfgReader.ReadFile(cfgPath), "se.cfg");
        var onnxPath = temp.File("se.onnx");
        using (var file = File.Create(onnxPath))
        using (var writer = new OnnxModelWriter(graph, file, "test"))
        {
            foreach (var layer in layers) writer.Write(layer);
            writer.Complete();
        }

        var input = new float[3 * 12 * 16];
        var random = new Random(3);
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble();
        var (name, shape, values) = Assert.Single(OnnxRun.Run(onnxPath, input, 3, 12, 16));
        Assert.Equal("conv_6", name);
        Assert.Equal(new[] { 1, 4, 12, 16 }, shape);

        var expected = OpenCvDarknet.Forward(cfgPath, weightsPath, input, 3, 12, 16, temp.Path, "conv_6")[0];
        var error = OnnxRun.MaxRelativeError(values, expected);
        _output.WriteLine($"scale_channels + sam: {name} max relative error {error:E2}");
        Assert.True(error <= MatchesDarknetTests.Tolerance, $"max relative error {error:E3}");
    }

    private static List<LayerParameters> WriteWeights(string path)
    {
        var random = new Random(17);
        float[] Uniform(int n, double low, double high) => Enumerable.Range(0, n).Select(_ => (float)(low + (high - low) * random.NextDouble())).ToArray();
        var layers = new List<LayerParameters>();
        using var file = new BinaryWriter(File.Create(path));
        file.Write(SyntheticWeights.Header(0, 2, 0));
        void Put(float[] values) { foreach (var v in values) file.Write(v); }
        for (int l = 0; l < Convs.Length; l++)
        {
            var (n, c, k, bn) = Convs[l];
            Tensor[]? batchNorm = null;
            Tensor? biases = null;
            if (bn)
            {
                var beta = Uniform(n, -0.1, 0.1);
                var gamma = Uniform(n, 0.5, 1.5);
                var mean = Uniform(n, -0.1, 0.1);
                var variance = Uniform(n, 0.5, 1.5);
                Put(beta); Put(gamma); Put(mean); Put(variance);
                batchNorm = new[] { new Tensor(new[] { n }, gamma), new Tensor(new[] { n }, beta), new Tensor(new[] { n }, mean), new Tensor(new[] { n }, variance) };
            }
            else
            {
                var b = Uniform(n, -0.5, 0.5);
                Put(b);
                biases = new Tensor(new[] { n }, b);
            }
            var a = Math.Sqrt(3.0 / (c * k * k));
            var oihw = Uniform(n * c * k * k, -a, a); // darknet's order: (out, in, k, k)
            Put(oihw);
            var hwio = new float[oihw.Length];
            for (int o = 0; o < n; o++)
            for (int i = 0; i < c; i++)
            for (int y = 0; y < k; y++)
            for (int x = 0; x < k; x++)
                hwio[((y * k + x) * c + i) * n + o] = oihw[((o * c + i) * k + y) * k + x];
            layers.Add(new LayerParameters("conv_" + (l + 1), new Tensor(new[] { k, k, c, n }, hwio), biases, batchNorm));
        }
        return layers;
    }
}
