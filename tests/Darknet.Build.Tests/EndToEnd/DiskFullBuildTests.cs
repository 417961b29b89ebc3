using Darknet.TestSupport;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// A full disk during the build's conversion is DKN2010 (the core's code, mapped in one place), not DKN5099 "a bug",
/// and leaves no temp in the cache. The machine cache sits on a real 5 MB tmpfs (skipped where mounting is not permitted).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class DiskFullBuildTests
{
    /// <summary>One BN conv 256→1024 (3×3): a 9.5 MB output, twice what the tmpfs holds.</summary>
    private const string BigConv = """
        [net]
        height=8
        width=8
        channels=256

        [convolutional]
        batch_normalize=1
        filters=1024
        size=3
        stride=1
        pad=1
        activation=leaky
        """;

    private readonly EndToEndFixture _fixture;

    public DiskFullBuildTests(EndToEndFixture fixture) => _fixture = fixture;

    [SkippableFact]
    public void AFullCacheDiskDuringConversionIsDiskFullNotABug()
    {
        using var cache = new TmpfsMount("size=5m");
        var directory = _fixture.NewDirectory("disk-full");
        File.WriteAllText(Path.Combine(directory, "big.cfg"), BigConv);
        var size = DarknetConverter.ExpectedFileSize(NetworkLayout.FromCfg(BigConv, "big.cfg"), 20, null);
        File.WriteAllBytes(Path.Combine(directory, "big.weights"), SyntheticWeights.OfSize("big.weights", size).Bytes);
        var app = _fixture.CreateProject("DiskFullApp", cache.Path,
            """<DarknetModel Include="big" WeightsFile="big.weights" Config="big.cfg" />""", directory: directory);

        var result = app.Build();

        FailedWith(result, ErrorCodes.DiskFull);
        Assert.Contains("disk full while writing", result.Output);
        Assert.DoesNotContain("DKN5099", result.Output);
        var left = Directory.GetFiles(cache.Path, "*", SearchOption.AllDirectories);
        Assert.DoesNotContain(left, f => f.EndsWith(".dkn-tmp", StringComparison.Ordinal) || f.EndsWith(".npy", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(app.ObjModelDirectory, "big.npy")));
    }
}
