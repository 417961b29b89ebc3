using Darknet.Weights.Models;
using Darknet.Weights.Numpy;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Cli;

/// <summary>
/// The seed's own command, <c>darknet convert --model … --weights_dir … --save_dir …</c>, on synthetic files of the real
/// sizes: darknet53_448.weights (166,582,580 bytes, made once for the class) and yolov3.weights (248,007,048 bytes).
/// </summary>
public class SeedCommandTests : IClassFixture<SeedCommandTests.Darknet53Weights>
{
    private readonly Darknet53Weights _darknet53;

    public SeedCommandTests(Darknet53Weights darknet53) => _darknet53 = darknet53;

    public sealed class Darknet53Weights : IDisposable
    {
        public Darknet53Weights()
        {
            var model = ModelCatalog.Find("darknet")!;
            SyntheticWeights.WriteFile(Path.Combine(Dir.Path, model.WeightsFileName), model.Layout.FloatCount());
        }

        public TempDirectory Dir { get; } = new();

        public void Dispose() => Dir.Dispose();
    }

    [Fact]
    public void DarknetWritesDarknet53_448NpyWithConvFc1Last()
    {
        using var save = new TempDirectory();

        var (exit, stdout, stderr) = CliRunner.Run("convert", "--model", "darknet", "--weights_dir", _darknet53.Dir.Path, "--save_dir", save.Path);

        Assert.True(exit == 0, stderr);
        Assert.Contains("converted 53 layers (41,645,640 floats", stdout);
        var output = Path.Combine(save.Path, "darknet53_448.npy");
        Assert.Equal(new[] { output }, Directory.GetFiles(save.Path));
        var layers = ModelFileReader.ReadFile(output);
        Assert.Equal(Enumerable.Range(1, 52).Select(i => $"conv_{i}").Append("conv_fc_1"), layers.Select(l => l.Name));
        Assert.Equal(new[] { 1, 1, 1024, 1000 }, layers[^1].Weights!.Shape);
        Assert.Equal(new[] { 1000 }, layers[^1].Biases!.Shape);
        Assert.Null(layers[^1].BatchNorm);
        // every layer, so the weight arrays the file writer path recycles across darknet53's repeating blocks are checked too
        var layout = ModelCatalog.Find("darknet")!.Layout;
        long start = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            ParameterLayout.Check(layout.WeightedLayers[i], layers[i], start, SyntheticWeights.DefaultSeed);
            start += layout.WeightedLayers[i].FloatCount;
        }
    }

    [Fact]
    public void Yolov3FeatIsAPrefixOfDarknet53WithLeftoverFloatsAllowed()
    {
        using var save = new TempDirectory();

        var (exit, stdout, stderr) = CliRunner.Run("convert", "--model", "yolov3_feat", "--weights_dir", _darknet53.Dir.Path, "--save_dir", save.Path, "--format", "npz");

        Assert.True(exit == 0, stderr);
        Assert.Contains("converted 52 layers", stdout);
        var layers = ModelFileReader.ReadFile(Path.Combine(save.Path, "yolov3_feat.npz"));
        Assert.Equal(Enumerable.Range(1, 52).Select(i => $"conv_{i}"), layers.Select(l => l.Name));
        var layout = ModelCatalog.Find("darknet")!.Layout;
        ParameterLayout.Check(layout.WeightedLayers[51], layers[51], layout.FloatCount(51), SyntheticWeights.DefaultSeed); // layer 51 starts after the first 51
    }

    [Fact]
    public void MissingWeightsInWeightsDirNamesTheFile()
    {
        using var empty = new TempDirectory();
        var (exit, _, stderr) = CliRunner.Run("convert", "--model", "yolo", "--weights_dir", empty.Path, "--save_dir", empty.Path);
        Assert.Equal(1, exit);
        Assert.Contains("DKN2006", stderr);
        Assert.Contains("yolov3.weights", stderr);
    }

    [Fact]
    public void YoloAsARealProcessWritesYolov3Npy()
    {
        var model = ModelCatalog.Find("yolov3")!;
        using var dir = new TempDirectory();
        var weights = Path.Combine(dir.Path, "yolov3.weights");
        SyntheticWeights.WriteFile(weights, model.Layout.FloatCount());
        Assert.Equal(248_007_048, new FileInfo(weights).Length);
        var save = Path.Combine(dir.Path, "out");

        var (exit, stdout, stderr) = CliRunner.RunProcess("convert", "--model", "yolo", "--weights_dir", dir.Path, "--save_dir", save);

        Assert.True(exit == 0, stderr);
        Assert.Contains("converted 75 layers (62,001,757 floats", stdout);
        var names = ModelFileReader.ReadFile(Path.Combine(save, "yolov3.npy")).Select(l => l.Name).ToList();
        Assert.Equal(model.LayerNames, names);
        Assert.Contains("conv_1_7", names);
        Assert.Contains("conv_3_0", names);
    }
}
