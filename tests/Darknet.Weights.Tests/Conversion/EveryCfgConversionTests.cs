using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Darknet.Weights.Numpy;
using Xunit;

namespace Darknet.Weights.Tests.Conversion;

/// <summary>
/// Every real cfg in ../shared/darknet/cfg and ../shared/darknet/cfg-alexeyab, end to end: synthetic weights of exactly the count the cfg needs -> .npy on disk
/// -> read back with <see cref="ModelFileReader"/> -> names, shapes and spot-checked values (transposition included).
/// The weights are generated while read, so even yolov3 never sits on disk twice. The conversion is the one
/// `darknet convert` and the build run (<see cref="DarknetConverter.ConvertStream"/>): the weights take turns in one
/// <see cref="WeightRing"/>, which the big networks' layers of many sizes wrap around again and again.
/// </summary>
public class EveryCfgConversionTests
{
    public static IEnumerable<object[]> Cfgs() => SharedFiles.CfgFileNames().Select(n => new object[] { n });

    public static IEnumerable<object[]> AlexeyAbCfgs() => SharedFiles.AlexeyAbCfgFileNames().Select(n => new object[] { n });

    [SkippableTheory]
    [MemberData(nameof(Cfgs))]
    public void ConvertsAndReadsBack(string cfgName) => ConvertAndReadBack(SharedFiles.RequireCfg(cfgName));

    /// <summary>AlexeyAB's cfgs, with a header his darknet writes (0.2.5: revision 5).</summary>
    [SkippableTheory]
    [MemberData(nameof(AlexeyAbCfgs))]
    public void AlexeyAbCfgConvertsAndReadsBack(string cfgName) =>
        ConvertAndReadBack(SharedFiles.RequireAlexeyAbCfg(cfgName), SyntheticWeights.Header(0, 2, 5));

    private static void ConvertAndReadBack(string cfgPath, byte[]? header = null)
    {
        var cfgName = Path.GetFileName(cfgPath);
        var layout = NetworkLayout.FromCfgFile(cfgPath);
        var names = LayerNaming.NamesFor(layout);
        long floats = layout.FloatCount();
        uint seed = (uint)cfgName.GetHashCode(StringComparison.Ordinal) | 1;
        using var dir = new TempDirectory();
        var output = dir.File(Path.ChangeExtension(cfgName, ".npy"));

        ConversionResult result;
        using (var weights = SyntheticWeights.Open(floats, header, seed: seed))
        using (var file = File.Create(output))
            result = DarknetConverter.ConvertStream(layout, weights, weights.Length, file, new ConversionOptions());

        Assert.Equal(layout.Blocks.Count, result.LayersWritten);
        Assert.Equal(floats, result.FloatsRead);
        var layers = ModelFileReader.ReadFile(output);
        Assert.Equal(names, layers.Select(l => l.Name));
        long start = 0;
        int entry = 0;
        foreach (var layer in layout.WeightedLayers)
        {
            entry += ParameterLayout.CheckLayer(layer, layers, entry, start, seed);
            start += layer.FloatCount;
        }
        Assert.Equal(layers.Count, entry);
        Assert.Equal(floats, start);
    }
}
