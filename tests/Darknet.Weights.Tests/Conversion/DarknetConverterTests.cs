using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Darknet.Weights.Naming;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Conversion;

public class DarknetConverterTests
{
    private static NetworkLayout Mixed => NetworkLayout.FromCfg(TestCfgs.Mixed, "mixed.cfg");
    private static NetworkLayout TwoConvs => NetworkLayout.FromCfg(TestCfgs.TwoConvs, "two.cfg");

    private static ListSink Convert(NetworkLayout layout, Stream weights, long? length, ConversionOptions options)
    {
        var sink = new ListSink();
        DarknetConverter.Convert(layout, weights, length, sink, options);
        return sink;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryKindOfWeightedLayerLandsInTheSeedsLayout(bool seekable)
    {
        var layout = Mixed;
        Assert.Equal(TestCfgs.MixedFloats, layout.FloatCount());
        using var weights = SyntheticWeights.Open(TestCfgs.MixedFloats, seekable: seekable);
        var sink = new ListSink();

        var result = DarknetConverter.Convert(layout, weights, seekable ? weights.Length : null, sink, new ConversionOptions { LayerNames = TestCfgs.MixedNames });

        Assert.True(sink.Completed);
        Assert.Equal(TestCfgs.MixedNames, sink.Layers.Select(l => l.Name));
        Assert.Equal((5, TestCfgs.MixedFloats, TestCfgs.MixedFloats, 20), (result.LayersWritten, result.FloatsRead, result.FloatsExpected, result.Header.Size));
        long start = 0;
        for (int i = 0; i < layout.WeightedLayers.Count; i++)
        {
            ParameterLayout.Check(layout.WeightedLayers[i], sink.Layers[i], start, SyntheticWeights.DefaultSeed);
            start += layout.WeightedLayers[i].FloatCount;
        }
        // the grouped conv: in/groups = 2
        Assert.Equal(new[] { 1, 1, 2, 6 }, sink.Layers[1].Weights!.Shape);
        Assert.Equal(new[] { 24, 5 }, sink.Layers[2].Weights!.Shape);
    }

    [Fact]
    public void TwoAndAHalfOfYolov3sLargestLayerMayBeInFlight()
    {
        var plan = ConversionPlan.Create(ModelCatalog.Find("yolov3")!.Layout, null, null);
        long largest = plan.Blocks.Max(b => b.FloatCount); // 3x3, 512 -> 1024, batch norm
        Assert.Equal(3 * 3 * 512 * 1024 + 4 * 1024, largest);
        Assert.Equal(largest * 5 / 2, DarknetConverter.FloatsInFlight(plan));
    }

    /// <summary>cspx-p7-mish's largest layer (3x3, 1280 -> 1280) is three of yolov3's: 2.5 of it would be 141 MiB.</summary>
    [SkippableFact]
    public void ABigNetworksLayersInFlightStayWithinTheCapButTheLargestAlwaysFits()
    {
        var layout = NetworkLayout.FromCfgFile(Darknet.Testing.SharedFiles.RequireAlexeyAbCfg("cspx-p7-mish.cfg"));
        var plan = ConversionPlan.Create(layout, null, null);
        long largest = plan.Blocks.Max(b => b.FloatCount);
        Assert.Equal(3 * 3 * 1280 * 1280 + 4 * 1280, largest);
        Assert.Equal(DarknetConverter.MaxFloatsInFlight, DarknetConverter.FloatsInFlight(plan));
        Assert.Equal(24L << 20, DarknetConverter.MaxFloatsInFlight); // 96 MiB

        var huge = NetworkLayout.FromCfg("[net]\nwidth=8\nheight=8\nchannels=4096\n[convolutional]\nfilters=2048\nsize=3\nactivation=linear\n", "huge.cfg");
        var hugePlan = ConversionPlan.Create(huge, null, null);
        Assert.Equal(hugePlan.Blocks[0].FloatCount, DarknetConverter.FloatsInFlight(hugePlan)); // alone, above the cap
    }

    [Fact]
    public void TransposeFlagMeansConnectedWeightsAreStoredInputsByOutputs()
    {
        var layout = Mixed;
        using var weights = SyntheticWeights.Open(TestCfgs.MixedFloats, SyntheticWeights.Header(major: 1001, minor: 0));
        var sink = Convert(layout, weights, weights.Length, new ConversionOptions { LayerNames = TestCfgs.MixedNames });

        long start = layout.WeightedLayers[0].FloatCount + layout.WeightedLayers[1].FloatCount;
        ParameterLayout.Check(layout.WeightedLayers[2], sink.Layers[2], start, SyntheticWeights.DefaultSeed, transposeConnected: true);
    }

    [Fact]
    public void SixteenByteHeaderIsAccepted()
    {
        using var weights = SyntheticWeights.Open(67, SyntheticWeights.Header(0, 1, 0));
        var sink = Convert(TwoConvs, weights, weights.Length, new ConversionOptions { LayerNames = TestCfgs.TwoConvNames });
        Assert.Equal(2, sink.Layers.Count);
        ParameterLayout.Check(TwoConvs.WeightedLayers[1], sink.Layers[1], 10, SyntheticWeights.DefaultSeed);
    }

    [Fact]
    public void NamesDefaultToLayerNaming()
    {
        var layout = Mixed;
        using var weights = SyntheticWeights.Open(TestCfgs.MixedFloats);
        var sink = Convert(layout, weights, weights.Length, new ConversionOptions());
        Assert.Equal(LayerNaming.NamesFor(layout), sink.Layers.Select(l => l.Name));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TooShortNamesTheFirstLayerThatRunsShortWithCounts(bool seekable)
    {
        // 150 floats: layer 0 (124) and layer 1 (18) fit, the first connected layer (floats 142..267) runs short.
        using var weights = SyntheticWeights.Open(150, seekable: seekable);
        var sink = new ListSink();

        var e = Assert.Throws<DarknetException>(() =>
            DarknetConverter.Convert(Mixed, weights, seekable ? weights.Length : null, sink, new ConversionOptions { LayerNames = TestCfgs.MixedNames }));

        Assert.Equal(ErrorCodes.WeightsTooShort, e.Code);
        Assert.Contains("layer 3 ([connected] at cfg line ", e.Message);
        Assert.Contains("'fc1'", e.Message);
        Assert.Contains("holds only 150 floats", e.Message);
        Assert.Contains("needs 303 floats", e.Message);
        Assert.False(sink.Completed);
        if (seekable) Assert.Empty(sink.Layers); // checked before anything was written
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LeftoverFloatsFailWithCounts(bool seekable)
    {
        using var weights = SyntheticWeights.Open(TestCfgs.MixedFloats + 7, seekable: seekable);
        var sink = new ListSink();

        var e = Assert.Throws<DarknetException>(() =>
            DarknetConverter.Convert(Mixed, weights, seekable ? weights.Length : null, sink, new ConversionOptions { LayerNames = TestCfgs.MixedNames }));

        Assert.Equal(ErrorCodes.LeftoverFloats, e.Code);
        Assert.Contains("reads 303 floats", e.Message);
        Assert.Contains("holds 7 floats more", e.Message);
        Assert.DoesNotContain("header mismatch", e.Message);
        Assert.False(sink.Completed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OneLeftoverFloatPointsAtTheHeader(bool seekable)
    {
        // A 20-byte header whose version (0.1) says 16 bytes: the high half of 'seen' is read as one extra float.
        var header = SyntheticWeights.Header(0, 2, 0).ToArray();
        BitConverter.GetBytes(1).CopyTo(header, 4);
        using var weights = SyntheticWeights.Open(67, header, seekable: seekable);

        var e = Assert.Throws<DarknetException>(() =>
            Convert(TwoConvs, weights, seekable ? weights.Length : null, new ConversionOptions { LayerNames = TestCfgs.TwoConvNames }));

        Assert.Equal(ErrorCodes.LeftoverFloats, e.Code);
        Assert.Contains("1 float more", e.Message);
        Assert.Contains("header mismatch", e.Message);
        Assert.Contains("16-byte header", e.Message);
    }

    [Fact]
    public void OneFloatShortPointsAtTheHeader()
    {
        // A 16-byte header whose version (0.2) says 20 bytes.
        var header = SyntheticWeights.Header(0, 1, 0).ToArray();
        BitConverter.GetBytes(2).CopyTo(header, 4);
        using var weights = SyntheticWeights.Open(67, header);

        var e = Assert.Throws<DarknetException>(() =>
            Convert(TwoConvs, weights, weights.Length, new ConversionOptions { LayerNames = TestCfgs.TwoConvNames }));

        Assert.Equal(ErrorCodes.WeightsTooShort, e.Code);
        Assert.Contains("header mismatch", e.Message);
    }

    [Fact]
    public void StrayBytesAreLeftovers()
    {
        using var weights = SyntheticWeights.Open(67, extraBytes: 2);
        var e = Assert.Throws<DarknetException>(() =>
            Convert(TwoConvs, weights, weights.Length, new ConversionOptions { LayerNames = TestCfgs.TwoConvNames }));
        Assert.Equal(ErrorCodes.LeftoverFloats, e.Code);
        Assert.Contains("2 stray bytes", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LayerLimitConvertsAPrefixAndAllowsLeftovers(bool seekable)
    {
        using var weights = SyntheticWeights.Open(TestCfgs.MixedFloats, seekable: seekable);
        var sink = new ListSink();

        var result = DarknetConverter.Convert(Mixed, weights, seekable ? weights.Length : null, sink,
            new ConversionOptions { LayerLimit = 2, LayerNames = TestCfgs.MixedNames });

        Assert.True(sink.Completed);
        Assert.Equal(new[] { "c1", "c2" }, sink.Layers.Select(l => l.Name));
        Assert.Equal((2, 142L, 142L), (result.LayersWritten, result.FloatsRead, result.FloatsExpected));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(6)]
    public void LayerLimitOutsideTheCfgIsRefused(int limit)
    {
        using var weights = SyntheticWeights.Open(TestCfgs.MixedFloats);
        var e = Assert.Throws<DarknetException>(() => Convert(Mixed, weights, weights.Length, new ConversionOptions { LayerLimit = limit }));
        Assert.Equal(ErrorCodes.BadLayerLimit, e.Code);
        Assert.Contains("1..5", e.Message);
    }

    [Fact]
    public void ShortPrefixStillFails()
    {
        using var weights = SyntheticWeights.Open(100);
        var e = Assert.Throws<DarknetException>(() => Convert(Mixed, weights, weights.Length, new ConversionOptions { LayerLimit = 1, LayerNames = TestCfgs.MixedNames }));
        Assert.Equal(ErrorCodes.WeightsTooShort, e.Code);
        Assert.Contains("'c1'", e.Message);
    }

    [Fact]
    public void ExpectedFileSizeCountsHeaderAndFloats()
    {
        Assert.Equal(20 + 4 * TestCfgs.MixedFloats, DarknetConverter.ExpectedFileSize(Mixed, 20, null));
        Assert.Equal(16 + 4 * 142, DarknetConverter.ExpectedFileSize(Mixed, 16, 2));
    }

    [Fact]
    public void DeconvolutionalUsesTheConvOrderWithInOutSwapped()
    {
        const string cfg = """
            [net]
            height=4
            width=4
            channels=3

            [deconvolutional]
            batch_normalize=1
            filters=2
            size=2
            stride=2
            activation=linear
            """;
        var layout = NetworkLayout.FromCfg(cfg, "deconv.cfg");
        var layer = layout.WeightedLayers.Single();
        Assert.Equal(4 * 2 + 3 * 2 * 2 * 2, layer.FloatCount);
        using var weights = SyntheticWeights.Open(layer.FloatCount);

        var sink = Convert(layout, weights, weights.Length, new ConversionOptions { LayerNames = new[] { "up" } });

        Assert.Equal(new[] { 2, 2, 2, 3 }, sink.Layers[0].Weights!.Shape); // (h, w, out, in)
        ParameterLayout.Check(layer, sink.Layers[0], 0, SyntheticWeights.DefaultSeed);
    }
}
