using Darknet.Cli;
using Darknet.Weights;
using Xunit;

namespace Darknet.Weights.Tests.Numpy;

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
}
