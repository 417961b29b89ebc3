using Darknet.Build.Tests.EndToEnd;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Samples;

/// <summary>
/// `dotnet run --project samples/HelloOnnx` on a copy of the repo's sources: the build exports the sample's model to
/// ONNX (Format="onnx"), and the program runs it with ONNX Runtime at two input sizes. In the end-to-end collection so
/// that no other test builds the task project at the same time.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HelloOnnxSampleTests
{
    [Fact]
    public void Sample_exports_its_model_to_onnx_during_the_build_and_runs_it()
    {
        using var temp = new TempDirectory("darknet-sample");
        var copy = temp.Combine("repo");
        PackedPackage.CopySources(copy, Path.Combine("samples", "HelloOnnx"), Path.Combine("samples", "Directory.Build.targets"));
        var environment = new Dictionary<string, string> { ["DARKNET_CACHE_DIR"] = temp.Combine("cache") };

        var run = DotnetCli.Run(copy, environment, "run", "--project", Path.Combine("samples", "HelloOnnx"), "-nodeReuse:false");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("input  input [N, 3, H, W]", run.Output);
        // The cfg ends in [avgpool] + [softmax] over 10 classes: one output, probabilities summing to 1 at any input size.
        Assert.Matches(@"32x32: output softmax_5 \[1, 10, 1, 1\] sum 1\.0000\d\d checksum \d+\.\d{6}", run.Output);
        Assert.Matches(@"48x64: output softmax_5 \[1, 10, 1, 1\] sum 1\.0000\d\d checksum \d+\.\d{6}", run.Output);

        var exported = Path.Combine(copy, "samples", "HelloOnnx", "obj", "Debug", "net10.0", "darknet", "hello.onnx");
        Assert.True(File.Exists(exported), exported);
        Assert.True(File.Exists(Path.Combine(copy, "samples", "HelloOnnx", "bin", "Debug", "net10.0", "hello.onnx")));
        var written = File.GetLastWriteTimeUtc(exported);
        var again = DotnetCli.Run(copy, environment, "build", Path.Combine("samples", "HelloOnnx"), "-nodeReuse:false");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(written, File.GetLastWriteTimeUtc(exported));
    }
}
