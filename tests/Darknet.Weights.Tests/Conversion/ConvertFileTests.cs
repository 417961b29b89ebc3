using Darknet.Weights.IO;
using Darknet.Weights.Layout;
using Darknet.Weights.Numpy;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Conversion;

public class ConvertFileTests
{
    private static NetworkLayout TwoConvs => NetworkLayout.FromCfg(TestCfgs.TwoConvs, "two.cfg");
    private static ConversionOptions Options(OutputFormat format = OutputFormat.Npy) => new() { LayerNames = TestCfgs.TwoConvNames, Format = format };

    [Theory]
    [InlineData(nameof(OutputFormat.Npy))]
    [InlineData(nameof(OutputFormat.Npz))]
    public void WritesAReadableFileAndNoTemporaries(string formatName)
    {
        var format = Enum.Parse<OutputFormat>(formatName); // OutputFormat is internal: a public test method cannot take it
        using var dir = new TempDirectory();
        var weights = dir.File("two.weights");
        SyntheticWeights.WriteFile(weights, 67);
        var output = dir.File("out/two." + format.ToString().ToLowerInvariant());

        var result = DarknetConverter.ConvertFile(TwoConvs, weights, output, Options(format));

        Assert.Equal(2, result.LayersWritten);
        var layers = ModelFileReader.ReadFile(output);
        Assert.Equal(TestCfgs.TwoConvNames, layers.Select(l => l.Name));
        ParameterLayout.Check(TwoConvs.WeightedLayers[1], layers[1], 10, SyntheticWeights.DefaultSeed);
        Assert.Equal(new[] { output }, Directory.GetFiles(Path.GetDirectoryName(output)!));
    }

    [Fact]
    public void ReplacesAnExistingOutput()
    {
        using var dir = new TempDirectory();
        var weights = dir.File("two.weights");
        SyntheticWeights.WriteFile(weights, 67);
        var output = dir.File("two.npy");
        File.WriteAllText(output, "old");

        DarknetConverter.ConvertFile(TwoConvs, weights, output, Options());

        Assert.Equal(2, ModelFileReader.ReadFile(output).Count);
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
    }

    [Theory]
    [InlineData(60, ErrorCodes.WeightsTooShort)]
    [InlineData(68, ErrorCodes.LeftoverFloats)]
    public void FailedConversionLeavesNothingUnderTheOutputName(int floats, string code)
    {
        using var dir = new TempDirectory();
        var weights = dir.File("two.weights");
        SyntheticWeights.WriteFile(weights, floats);
        var output = dir.File("two.npy");

        var e = Assert.Throws<DarknetException>(() => DarknetConverter.ConvertFile(TwoConvs, weights, output, Options()));

        Assert.Equal(code, e.Code);
        Assert.Equal(new[] { weights }, Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void FailureWhileWritingDeletesTheTemporaryFileAndKeepsTheOldOutput()
    {
        using var dir = new TempDirectory();
        var output = dir.File("model.npy");
        File.WriteAllText(output, "previous");

        Assert.Throws<InvalidDataException>(() => AtomicFile.Write(output, stream =>
        {
            stream.Write(new byte[1000]);
            throw new InvalidDataException("halfway");
        }));

        Assert.Equal(new[] { output }, Directory.GetFiles(dir.Path));
        Assert.Equal("previous", File.ReadAllText(output));
    }

    [Fact]
    public void HtmlPageInsteadOfWeightsLeavesNoOutput()
    {
        using var dir = new TempDirectory();
        var weights = dir.File("two.weights");
        File.WriteAllText(weights, "<!DOCTYPE html>\n<html><body>Not Found</body></html>\n");
        var output = dir.File("two.npy");

        var e = Assert.Throws<DarknetException>(() => DarknetConverter.ConvertFile(TwoConvs, weights, output, Options()));

        Assert.Equal(ErrorCodes.NotAWeightsFile, e.Code);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void MissingWeightsFileHasItsOwnCode()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<DarknetException>(() => DarknetConverter.ConvertFile(TwoConvs, dir.File("nope.weights"), dir.File("x.npy"), Options()));
        Assert.Equal(ErrorCodes.WeightsNotFound, e.Code);
        Assert.Contains("nope.weights", e.Message);
    }
}
