using Darknet.Weights.Layout;
using Darknet.Weights.Tests.Numpy;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Conversion;

/// <summary>A cfg's numbers never size an allocation on their own: absurd ones are refused, large ones wait for the floats.</summary>
public sealed class HostileCfgTests
{
    [Fact]
    public void FiltersOfTwoBillionAreRefusedWithoutAllocating()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DarknetException>(() => NetworkLayout.FromCfg("[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=2000000000\nsize=1\n", "big.cfg"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal(ErrorCodes.BadSize, e.Code);
        Assert.Contains("filters=2000000000", e.Message);
    }

    // One layer of 2047 x 2^20 floats (8 GiB): from a file its length is compared first; from a stream of unknown
    // length the floats are read ahead in 1 MiB chunks and the stream ends long before the layer is allocated.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AHugeLayerIsNotAllocatedBeforeItsFloatsArrive(bool seekable)
    {
        var layout = NetworkLayout.FromCfg("[net]\nwidth=1\nheight=1\nchannels=1048576\n[convolutional]\nfilters=2047\nsize=1\n", "huge.cfg");
        var weights = new byte[1 << 20];
        SyntheticWeights.Header().CopyTo(weights, 0);
        Stream input = seekable ? new MemoryStream(weights) : new ReaderRoundTripTests.ForwardOnlyStream(weights);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DarknetException>(() => DarknetConverter.Convert(layout, input, seekable ? weights.Length : null, new ListSink(), new ConversionOptions()));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ErrorCodes.WeightsTooShort, e.Code);
        Assert.Contains("262,139 floats", e.Message); // what the 1 MiB held after its 20-byte header
        Assert.True(allocated < 16L << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void ALayerReadAheadFromAStreamConvertsTheSameFloats()
    {
        // 2 x 1024 x 1024 floats: over the read-ahead threshold, so it goes through the chunks
        var layout = NetworkLayout.FromCfg("[net]\nwidth=1\nheight=1\nchannels=1024\n[convolutional]\nfilters=1024\nsize=1\n[convolutional]\nfilters=1024\nsize=1\n", "two.cfg");
        var fromFile = new ListSink();
        var fromPipe = new ListSink();
        using (var s = SyntheticWeights.Open(layout.FloatCount())) DarknetConverter.Convert(layout, s, s.Length, fromFile, new ConversionOptions());
        using (var s = SyntheticWeights.Open(layout.FloatCount(), seekable: false)) DarknetConverter.Convert(layout, s, null, fromPipe, new ConversionOptions());
        Assert.True(fromPipe.Completed);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(fromFile.Layers[i].Weights!.Data, fromPipe.Layers[i].Weights!.Data);
            Assert.Equal(fromFile.Layers[i].Biases!.Data, fromPipe.Layers[i].Biases!.Data);
        }
        // and a float too many is still leftover, one too few still short
        using (var s = SyntheticWeights.Open(layout.FloatCount() + 1, seekable: false))
            Assert.Equal(ErrorCodes.LeftoverFloats, Assert.Throws<DarknetException>(() => DarknetConverter.Convert(layout, s, null, new ListSink(), new ConversionOptions())).Code);
        using (var s = SyntheticWeights.Open(layout.FloatCount() - 1, seekable: false))
            Assert.Equal(ErrorCodes.WeightsTooShort, Assert.Throws<DarknetException>(() => DarknetConverter.Convert(layout, s, null, new ListSink(), new ConversionOptions())).Code);
    }
}
