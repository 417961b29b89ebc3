using Darknet.Cli;
using Darknet.Weights.Tests.Numpy;
using Darknet.Weights;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Cli;

public class InspectCommandTests
{
    private static (int Exit, string Out, string Err) Inspect(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = InspectCommand.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData(nameof(OutputFormat.Npy), ".npy")]
    [InlineData(nameof(OutputFormat.Npz), ".npz")]
    public void PrintsEveryLayerWithItsShapesAndTheTotal(string formatName, string extension)
    {
        var format = Enum.Parse<OutputFormat>(formatName); // OutputFormat is internal: a public test method cannot take it
        var path = TestLayers.TempFile(extension);
        try
        {
            File.WriteAllBytes(path, TestLayers.Write(format, TestLayers.Sample()));
            var (exit, output, errors) = Inspect(path);
            Assert.Equal(0, exit);
            Assert.Equal("", errors);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(new[]
            {
                "conv_1       weights (3, 3, 3, 4)  bn 4 x (4,)",
                "conv_2       weights (1, 1, 4, 5)  biases (5,)",
                "batchnorm_3  bn 4 x (5,)",
                "connected_4  weights (7, 3)  biases (3,)",
                "conv_big     weights (3, 3, 64, 300)  bn 4 x (300,)",
                "5 layers, 174,193 float32 values (696,772 bytes)",
            }, lines);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnHtmlPageIsAnErrorWithItsCodeAndNoTrace()
    {
        var path = TestLayers.TempFile(".npy");
        try
        {
            File.WriteAllText(path, "<!DOCTYPE html><html><body>Not Found</body></html>");
            var (exit, output, errors) = Inspect(path);
            Assert.Equal(1, exit);
            Assert.Equal("", output);
            Assert.StartsWith("darknet: DKN3001: ", errors);
            Assert.DoesNotContain("   at ", errors);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMissingFileIsAnError()
    {
        var (exit, _, errors) = Inspect("/nonexistent/yolov3.npy");
        Assert.Equal(1, exit);
        Assert.StartsWith("darknet: DKN3006: cannot read /nonexistent/yolov3.npy", errors);
    }

    [Fact]
    public void ADirectoryIsNamedAsSuch()
    {
        var (exit, _, errors) = Inspect(Path.GetTempPath());
        Assert.Equal(1, exit);
        Assert.StartsWith("darknet: DKN3006: ", errors);
        Assert.Contains("it is a directory", errors);
    }

    [Theory]
    [InlineData]
    [InlineData("a.npy", "b.npy")]
    [InlineData("--bogus")]
    public void WrongArgumentsAreAUsageError(params string[] args)
    {
        var (exit, _, errors) = Inspect(args);
        Assert.Equal(2, exit);
        Assert.StartsWith("darknet: DKN2009: inspect: ", errors);
        Assert.Contains("usage: darknet inspect", errors);
    }

    [SkippableFact]
    public void A_cfg_is_described_layer_by_layer_with_the_size_its_weights_must_have()
    {
        var cfg = Darknet.Testing.SharedFiles.RequireCfg("yolov3-tiny.cfg");
        var (exit, output, errors) = Inspect("--cfg", cfg);
        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        var lines = output.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("yolov3-tiny.cfg: input 416x416x3, 24 layers, 13 of them store floats", lines[0]);
        Assert.Equal("layer  section        input        output         floats  stored as", lines[1]);
        Assert.Equal("    0  convolutional  416x416x3    416x416x16        496  conv_1", lines[2]);
        Assert.Equal("    1  maxpool        416x416x16   208x208x16", lines[3]);
        Assert.Contains("   17  route          layers 13    13x13x256", lines);
        Assert.Contains("   20  route          layers 19,8  26x26x384", lines);
        Assert.Equal(27, lines.Length);
        // darknet-format.md: 8,858,734 floats, 35,434,956 bytes with a 20-byte header
        Assert.StartsWith("8,858,734 float32 values: a .weights file of 35,434,956 bytes with darknet's 20-byte header", lines[^1]);
    }

    [Fact]
    public void A_built_in_model_is_described_with_the_names_it_converts_to()
    {
        var (exit, output, _) = Inspect("--model", "yolov3_feat");
        Assert.Equal(0, exit);
        var lines = output.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("yolov3_feat: input 448x448x3, 78 layers, 53 of them store floats", lines[0]);
        Assert.Contains(lines, l => l.EndsWith("conv_52", StringComparison.Ordinal));
        Assert.EndsWith("1,025,000  -", lines.Single(l => l.StartsWith("   76 ", StringComparison.Ordinal)));
        Assert.StartsWith("41,645,640 float32 values: a .weights file of 166,582,580 bytes", lines[^2]);
        Assert.Equal("yolov3_feat converts the first 52 of those layers as 52 named arrays", lines[^1]);
    }

    [Fact]
    public void An_unknown_model_or_a_missing_cfg_is_an_error_with_its_code()
    {
        var (exit, _, errors) = Inspect("--model", "yolov3-tiniy");
        Assert.Equal(1, exit);
        Assert.StartsWith("darknet: DKN2007: unknown model 'yolov3-tiniy': did you mean 'yolov3-tiny'?", errors);
        (exit, _, errors) = Inspect("--cfg", "/nonexistent/net.cfg");
        Assert.Equal(1, exit);
        Assert.StartsWith("darknet: DKN1006: cfg file not found: /nonexistent/net.cfg", errors);
    }
}
