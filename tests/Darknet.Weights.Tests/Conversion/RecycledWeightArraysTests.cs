using Xunit;

namespace Darknet.Weights.Tests.Conversion;

public class RecycledWeightArraysTests
{
    private static LayerParameters Layer(float[] weights) => new("l", new Tensor(new[] { weights.Length }, weights), null, null);

    [Fact]
    public void AlternatingSizesReuseTheTwoLastArrays()
    {
        var arrays = new RecycledWeightArrays(enabled: true);
        var a = arrays.Take(10);
        arrays.Release(Layer(a));
        var b = arrays.Take(20);
        arrays.Release(Layer(b));

        Assert.Same(a, arrays.Take(10));
        arrays.Release(Layer(a));
        Assert.Same(b, arrays.Take(20));
        Assert.Same(a, arrays.Take(10));
        Assert.NotSame(a, arrays.Take(10)); // handed out once until it is released again
    }

    [Fact]
    public void DisabledNeverReuses()
    {
        var arrays = new RecycledWeightArrays(enabled: false);
        var a = arrays.Take(10);
        arrays.Release(Layer(a));
        Assert.NotSame(a, arrays.Take(10));
    }
}
