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

    [Theory]
    [InlineData(7, 3, 3, 3, 2)]
    [InlineData(7, 3, 3, 3, 7)]
    [InlineData(10, 4, 1, 1, 3)]
    public void BlocksOfWholeOutputChannelsGiveTheSameLayout(int o, int i, int h, int w, int block)
    {
        var source = Enumerable.Range(0, o * i * h * w).Select(v => (float)v).ToArray();
        var result = new float[source.Length];
        var transposition = new WeightTransposition(result, o, i, h, w);
        int row = i * h * w;
        for (int start = 0; start < o; start += block)
        {
            int rows = Math.Min(block, o - start);
            transposition.AddRows(source.Skip(start * row).Take(rows * row).ToArray(), rows);
        }
        Assert.Equal(WeightTransposition.ConvToHwio(source, o, i, h, w), result);
    }
}
