using System.Globalization;
using Darknet.Build.Tests.EndToEnd;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Samples;

/// <summary>
/// The README's first command, `dotnet run --project samples/HelloDarknet`, on a copy of the repo's sources (a fresh
/// obj/ every run, and no race with the solution's own bin/ and obj/). In the end-to-end collection so that no other
/// test builds the task project at the same time.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HelloDarknetSampleTests
{
    [Fact]
    public void Sample_converts_its_model_during_the_build_embeds_it_and_prints_it_back()
    {
        using var temp = new TempDirectory("darknet-sample");
        var repo = PackedPackage.RepositoryRoot();
        var copy = temp.Combine("repo");
        PackedPackage.CopySources(copy, Path.Combine("samples", "HelloDarknet"), Path.Combine("samples", "Directory.Build.targets"));
        var environment = new Dictionary<string, string> { ["DARKNET_CACHE_DIR"] = temp.Combine("cache") };

        var run = DotnetCli.Run(copy, environment, "run", "--project", Path.Combine("samples", "HelloDarknet"), "-nodeReuse:false");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("conv_1   weights (3, 3, 3, 8)  bn 4 x (8,)", run.Output);
        Assert.Contains("conv_2   weights (3, 3, 8, 16)  bn 4 x (16,)", run.Output);
        Assert.Contains("conv_3   weights (1, 1, 16, 10)  biases (10,)", run.Output);
        var expected = ChecksumOfWeights(Path.Combine(repo, "samples", "HelloDarknet", "model", "hello.weights"));
        Assert.Contains($"3 layers, 1634 floats, checksum {expected.ToString("F6", CultureInfo.InvariantCulture)}", run.Output);

        var converted = Path.Combine(copy, "samples", "HelloDarknet", "obj", "Debug", "net10.0", "darknet", "hello.npy");
        var written = File.GetLastWriteTimeUtc(converted);
        var again = DotnetCli.Run(copy, environment, "build", Path.Combine("samples", "HelloDarknet"), "-nodeReuse:false");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(written, File.GetLastWriteTimeUtc(converted));
    }

    /// <summary>The sum of every float after the 20-byte header: what the sample prints, whatever the layout.</summary>
    private static double ChecksumOfWeights(string path)
    {
        var bytes = File.ReadAllBytes(path);
        double sum = 0;
        for (var offset = 20; offset < bytes.Length; offset += 4) sum += BitConverter.ToSingle(bytes, offset);
        return sum;
    }
}
