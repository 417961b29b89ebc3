using Xunit;

namespace Darknet.Weights.Tests.Conversion;

public class WeightTranspositionTests
{
    [Fact]
    public void ConvWeightsBecomeHeightWidthInOut()
    {
        const int o = 5, i = 3, h = 2, w = 4;
        var source = Enumerable.Range(0, o * i * h * w).Select(v => (float)v).ToArray();

        var result = WeightTransposition.ConvToHwio(source, o, i, h, w);

        for (int oo = 0; oo < o; oo++)
        for (int ii = 0; ii < i; ii++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            Assert.Equal(source[((oo * i + ii) * h + y) * w + x], result[((y * w + x) * i + ii) * o + oo]);
    }

    [Fact]
    public void ReadsOnlyThePrefixOfALargerScratchArray()
    {
        var source = new float[100];
        for (int v = 0; v < 6; v++) source[v] = v + 1;
        Assert.Equal(new float[] { 1, 3, 5, 2, 4, 6 }, WeightTransposition.Matrix(source, 3, 2));
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, WeightTransposition.ConvToHwio(source, 6, 1, 1, 1));
    }
}
