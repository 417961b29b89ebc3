using System.Text;
using Darknet.Weights.Config;
using Darknet.Weights.Layout;
using Darknet.Weights.Tests.Conversion;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// An upstream cfg made ready for inference in a temp folder: batch=1, subdivisions=1 and a small input size (weights do
/// not depend on it, except through [connected]), with seeded synthetic weights scaled for unit-size activations:
/// each conv or connected weight uniform with variance 1/fan-in, batch-norm γ in [0.5, 1.5], β and mean in [−0.1, 0.1],
/// variance in [0.5, 1.5] (far above darknet's .000001, so the epsilon placement is not what the comparison measures).
/// </summary>
internal sealed class TestNetwork
{
    private readonly string[] _lines;
    private readonly IReadOnlyList<CfgSection> _sections;

    /// <summary>A small cfg of a test's own, at its own [net] size.</summary>
    public TestNetwork(TempDirectory temp, string cfgPath, bool network, int seed = 11)
        : this(temp, cfgPath, NetSize(cfgPath, "width"), NetSize(cfgPath, "height"), seed)
    {
    }

    public TestNetwork(TempDirectory temp, string cfgPath, int width, int height, int seed = 11)
    {
        Name = Path.GetFileNameWithoutExtension(cfgPath) + "-ready";
        _lines = Prepare(File.ReadAllLines(cfgPath), width, height);
        CfgPath = Path.Combine(temp.Path, Name + ".cfg");
        File.WriteAllLines(CfgPath, _lines);
        _sections = CfgReader.ReadFile(CfgPath);
        Layout = NetworkLayout.FromCfgFile(CfgPath);
        WeightsPath = Path.Combine(temp.Path, Name + ".weights");
        SyntheticWeights.WriteCalibrated(WeightsPath, Layout, seed);
        OnnxPath = Path.Combine(temp.Path, Name + ".onnx");
        Width = width;
        Height = height;
        var random = new Random(seed + 1);
        Input = new float[Layout.Channels * height * width];
        for (int i = 0; i < Input.Length; i++) Input[i] = (float)random.NextDouble();
    }

    public string Name { get; }

    public string CfgPath { get; }

    public string WeightsPath { get; }

    public string OnnxPath { get; }

    public NetworkLayout Layout { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>One image, NCHW, values in [0, 1).</summary>
    public float[] Input { get; }

    /// <summary>A copy of the cfg that ends with darknet layer <paramref name="layerIndex"/>, so darknet's network output is that layer's.</summary>
    public string CfgEndingAt(int layerIndex)
    {
        var path = Path.Combine(Path.GetDirectoryName(CfgPath)!, $"{Name}-to-{layerIndex}.cfg");
        int next = layerIndex + 2; // section 0 is [net]
        int stop = next < _sections.Count ? _sections[next].Line - 1 : _lines.Length;
        File.WriteAllLines(path, _lines.Take(stop));
        return path;
    }

    private static int NetSize(string cfgPath, string key) => CfgReader.ReadFile(cfgPath)[0].GetInt(key, 0);

    private static string[] Prepare(string[] lines, int width, int height)
    {
        var result = new List<string>();
        bool inNet = false;
        foreach (var line in lines)
        {
            var compact = new string(line.Where(c => !char.IsWhiteSpace(c)).ToArray());
            if (compact.StartsWith('['))
            {
                inNet = compact is "[net]" or "[network]";
                result.Add(line);
                if (inNet) result.AddRange(new[] { "batch=1", "subdivisions=1", $"width={width}", $"height={height}" });
                continue;
            }
            var key = compact.Split('=')[0].ToLowerInvariant();
            if (inNet && key is "batch" or "subdivisions" or "width" or "height") continue;
            result.Add(line);
        }
        return result.ToArray();
    }
}
