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

    // yolov3's shapes at the converter's chunking (whole output channels per 1 MiB), and shapes whose channel count and
    // row length are not multiples of the 4x4 SSE block, against the element-by-element walk (which shares no code with it).
    [Theory]
    [InlineData(1024, 512, 3, 56)]
    [InlineData(512, 1024, 1, 256)]
    [InlineData(255, 1024, 1, 256)]
    [InlineData(32, 3, 3, 32)]
    [InlineData(19, 5, 3, 11)]
    [InlineData(9, 1, 1, 9)]
    [InlineData(8, 8, 1, 8)]
    [InlineData(17, 13, 2, 16)]
    [InlineData(3, 1, 1, 3)]
    public void TheVectorisedBlocksMatchTheElementWalk(int o, int i, int size, int block)
    {
        var random = new Random(o * 31 + i);
        var source = new float[o * i * size * size];
        for (int v = 0; v < source.Length; v++) source[v] = (float)random.NextDouble();
        var result = new float[source.Length];
        var transposition = new WeightTransposition(result, o, i, size, size);
        int row = i * size * size;
        for (int start = 0; start < o; start += block)
        {
            int rows = Math.Min(block, o - start);
            transposition.AddRows(new ReadOnlySpan<float>(source, start * row, rows * row), rows);
        }
        Assert.Equal(WeightTransposition.ConvToHwio(source, o, i, size, size), result);
    }

    [Fact]
    public void AnX64MachineTakesTheVectorPath()
    {
        // Otherwise the test above would only check the scalar blocks here.
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
            Assert.True(SimdTransposition.IsSupported);
    }

    [Fact]
    public void BlocksBeyondTheLayerOrTheRowsAreRefused()
    {
        var transposition = new WeightTransposition(new float[4 * 2 * 9], 4, 2, 3, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => transposition.AddRows(new float[5 * 18], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => transposition.AddRows(new float[17], 1));
        Assert.Throws<ArgumentException>(() => new WeightTransposition(new float[4 * 2 * 9 - 1], 4, 2, 3, 3));
    }
}
