using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Weights;

public class FloatStreamReaderTests
{
    [Fact]
    public void ReadsAcrossBufferBoundariesAndTrickledStreams()
    {
        var values = Enumerable.Range(0, 1000).Select(i => SyntheticWeights.At(7, i)).ToArray();
        var bytes = values.SelectMany(BitConverter.GetBytes).ToArray();
        var reader = new FloatStreamReader(new TrickleStream(bytes, maxChunk: 3), bufferBytes: 40);

        var first = new float[333];
        var rest = new float[700];
        Assert.Equal(333, reader.Read(first, 0, 333));
        Assert.Equal(667, reader.Read(rest, 10, 690)); // ends early: only 667 left

        Assert.Equal(values.Take(333), first);
        Assert.Equal(values.Skip(333), rest.Skip(10).Take(667));
        Assert.Equal(1000, reader.FloatsRead);
        Assert.Equal(0, reader.StrayBytes);
    }

    [Fact]
    public void CountsStrayBytesAfterTheLastWholeFloat()
    {
        var reader = new FloatStreamReader(new MemoryStream(new byte[4 * 5 + 3]));
        Assert.Equal(5, reader.Read(new float[8], 0, 8));
        Assert.Equal(3, reader.StrayBytes);
    }

    [Fact]
    public void CountRemainingReadsToTheEnd()
    {
        var reader = new FloatStreamReader(new MemoryStream(new byte[4 * 10 + 1]), bufferBytes: 8);
        reader.Read(new float[4], 0, 4);
        Assert.Equal(6, reader.CountRemaining());
        Assert.Equal(1, reader.StrayBytes);
    }
}

/// <summary>Returns at most a few bytes per Read, like a slow pipe.</summary>
internal sealed class TrickleStream(byte[] data, int maxChunk) : MemoryStream(data)
{
    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, maxChunk));
}
