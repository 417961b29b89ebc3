using System.Runtime.InteropServices;
using Xunit;

namespace Darknet.Weights.Tests.Conversion;

/// <summary>
/// The file writers' weight memory: every layer's weights are a slice of one array of the ring's capacity, slices still
/// taken never overlap, a layer fits only beside them, and the largest layer always fits once the others are released.
/// </summary>
public class WeightRingTests
{
    private static LayerParameters Layer(WeightRing ring, Memory<float> values) =>
        new("l", ring.Wrap(new[] { values.Length }, values), null, null);

    private static (float[] Array, int Start) Where(Memory<float> values)
    {
        Assert.True(MemoryMarshal.TryGetArray<float>(values, out var segment));
        return (segment.Array!, segment.Offset);
    }

    [Fact]
    public void SlicesFollowEachOtherThenWrapToTheStartWhenTheOldestIsReleased()
    {
        var ring = new WeightRing(10);
        var a = ring.Take(4);
        var b = ring.Take(4);
        Assert.Equal(0, Where(a).Start);
        Assert.Equal(4, Where(b).Start);
        Assert.Same(Where(a).Array, Where(b).Array);
        Assert.Equal(10, Where(a).Array.Length);

        Assert.True(ring.Fits(2));   // 8..10
        Assert.False(ring.Fits(3));  // past the end, and 0..3 is still a's
        ring.Release(Layer(ring, a));
        Assert.True(ring.Fits(4));   // 0..4 now
        Assert.False(ring.Fits(5));

        var c = ring.Take(4);
        Assert.Equal(0, Where(c).Start); // wrapped: 8..10 was too short
        Assert.False(ring.Fits(1));      // between c (0..4) and b (4..8) nothing is left
        ring.Release(Layer(ring, b));
        Assert.True(ring.Fits(6));       // 4..10
        Assert.Equal(4, Where(ring.Take(6)).Start);
    }

    [Fact]
    public void TheWholeCapacityFitsWhenNothingIsTaken()
    {
        var ring = new WeightRing(10);
        var a = ring.Take(3);
        Assert.False(ring.Fits(10));
        ring.Release(Layer(ring, a));
        Assert.True(ring.Fits(10));
        Assert.Equal(0, Where(ring.Take(10)).Start);
        Assert.False(ring.Fits(11));
        Assert.Throws<InvalidOperationException>(() => ring.Take(11));
    }

    [Fact]
    public void TakingWithoutRoomOrReleasingOutOfOrderIsAnError()
    {
        var ring = new WeightRing(10);
        var a = ring.Take(6);
        var b = ring.Take(4);
        Assert.Throws<InvalidOperationException>(() => ring.Take(1));
        Assert.Throws<InvalidOperationException>(() => ring.Release(Layer(ring, b)));
        ring.Release(Layer(ring, a)); // the rejected release took nothing off
    }

    [Fact]
    public void LayersWithoutRingValuesReleaseNothing()
    {
        var ring = new WeightRing(10);
        var a = ring.Take(6);
        ring.Release(new LayerParameters("bn", null, null, null));
        ring.Release(new LayerParameters("own", new Tensor(new[] { 6 }, new float[6]), null, null));
        Assert.False(ring.Fits(5));
        ring.Release(Layer(ring, a));
        Assert.True(ring.Fits(10));
    }

    [Fact]
    public void ATensorOverASliceReadsItsValuesInPlace()
    {
        var ring = new WeightRing(10);
        ring.Take(3);
        var values = ring.Take(4);
        values.Span.Fill(7);
        var tensor = ring.Wrap(new[] { 2, 2 }, values);
        Assert.Equal(new float[] { 7, 7, 7, 7 }, tensor.Values.ToArray());
        Assert.Equal(3, Where(MemoryMarshal.AsMemory(tensor.Values)).Start);
    }

    [Fact]
    public void RandomLayersInOrderNeverOverlapTheOnesStillTaken()
    {
        // The converter's use: take while it fits (at most three alive), release the oldest; each slice is filled with its
        // layer's number and must still hold it when released.
        var random = new Random(5);
        var ring = new WeightRing(100);
        var alive = new Queue<(int Number, Memory<float> Values)>();
        int next = 0;
        for (int step = 0; step < 5000; step++)
        {
            int size = random.Next(1, 101);
            if (alive.Count < 3 && ring.Fits(size))
            {
                var values = ring.Take(size);
                values.Span.Fill(next);
                alive.Enqueue((next++, values));
            }
            else
            {
                Assert.NotEmpty(alive); // an empty ring fits any layer up to its capacity
                var (number, values) = alive.Dequeue();
                Assert.All(values.ToArray(), v => Assert.Equal(number, v));
                ring.Release(Layer(ring, values));
            }
        }
        Assert.True(next > 1000);
    }
}
