using Darknet.Weights;
using Darknet.Weights.Numpy;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Numpy;

public class ReaderRoundTripTests
{
    [Theory]
    [InlineData(nameof(OutputFormat.Npy))]
    [InlineData(nameof(OutputFormat.Npz))]
    public void ReadsBackWhatTheWriterWrote(string formatName)
    {
        var format = Enum.Parse<OutputFormat>(formatName); // OutputFormat is internal: a public test method cannot take it
        var expected = TestLayers.Sample();
        var read = ModelFileReader.Read(new MemoryStream(TestLayers.Write(format, expected)));
        AssertSameLayers(expected, read);
    }

    [Theory]
    [InlineData(nameof(OutputFormat.Npy))]
    [InlineData(nameof(OutputFormat.Npz))]
    public void ReadsFromAStreamThatCannotSeek(string formatName)
    {
        var format = Enum.Parse<OutputFormat>(formatName); // OutputFormat is internal: a public test method cannot take it
        var expected = TestLayers.Sample();
        var read = ModelFileReader.Read(new ForwardOnlyStream(TestLayers.Write(format, expected)));
        AssertSameLayers(expected, read);
    }

    [Theory]
    [InlineData(nameof(OutputFormat.Npy))]
    [InlineData(nameof(OutputFormat.Npz))]
    public void ReadingAllocatesTheArrayDataOnce(string formatName)
    {
        var format = Enum.Parse<OutputFormat>(formatName); // OutputFormat is internal: a public test method cannot take it
        // 18 MiB of floats: the reader fills the float[] straight from the stream, without a byte[] copy of it.
        var layer = new LayerParameters("conv_big", new Tensor(new[] { 3, 3, 512, 1024 }, new float[3 * 3 * 512 * 1024]), null, null);
        var file = TestLayers.Write(format, new[] { layer });
        long before = GC.GetAllocatedBytesForCurrentThread();
        var read = ModelFileReader.Read(new MemoryStream(file));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(layer.Weights!.Shape, read[0].Weights!.Shape);
        long dataBytes = layer.Weights.Data.Length * 4L;
        Assert.True(allocated < dataBytes + (1 << 20), $"reading {dataBytes} bytes of floats allocated {allocated} bytes");
    }

    [Fact]
    public void ReadsAFileByPath()
    {
        var path = TestLayers.TempFile(".npy");
        try
        {
            File.WriteAllBytes(path, TestLayers.Write(OutputFormat.Npy, TestLayers.Sample()));
            AssertSameLayers(TestLayers.Sample(), ModelFileReader.ReadFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EmptyDictionaryReadsAsNoLayers()
    {
        Assert.Empty(ModelFileReader.Read(new MemoryStream(TestLayers.Write(OutputFormat.Npy, Array.Empty<LayerParameters>()))));
        Assert.Empty(ModelFileReader.Read(new MemoryStream(TestLayers.Write(OutputFormat.Npz, Array.Empty<LayerParameters>()))));
    }

    [Fact]
    public void MissingFileIsAnUnreadableFileError()
    {
        var e = Assert.Throws<DarknetException>(() => ModelFileReader.ReadFile("/nonexistent/model.npy"));
        Assert.Equal(ErrorCodes.NumpyFileUnreadable, e.Code);
    }

    internal static void AssertSameLayers(IReadOnlyList<LayerParameters> expected, IReadOnlyList<LayerParameters> actual)
    {
        Assert.Equal(expected.Select(l => l.Name), actual.Select(l => l.Name));
        for (int i = 0; i < expected.Count; i++)
        {
            AssertSameTensor(expected[i].Weights, actual[i].Weights, expected[i].Name + " weights");
            AssertSameTensor(expected[i].Biases, actual[i].Biases, expected[i].Name + " biases");
            Assert.Equal(expected[i].BatchNorm == null, actual[i].BatchNorm == null);
            if (expected[i].BatchNorm == null) continue;
            for (int k = 0; k < 4; k++) AssertSameTensor(expected[i].BatchNorm![k], actual[i].BatchNorm![k], expected[i].Name + " bn" + k);
        }
    }

    internal static void AssertSameTensor(Tensor? expected, Tensor? actual, string what)
    {
        Assert.True((expected == null) == (actual == null), what + ": presence differs");
        if (expected == null) return;
        Assert.Equal(expected.Shape, actual!.Shape);
        // Values: the reader's tensors may view an embedded resource instead of holding an array
        var e = expected.Values.Span;
        var a = actual.Values.Span;
        Assert.True(e.Length == a.Length, what + ": length differs");
        for (int j = 0; j < e.Length; j++)
            if (BitConverter.SingleToInt32Bits(e[j]) != BitConverter.SingleToInt32Bits(a[j]))
                Assert.Fail($"{what}[{j}]: expected {e[j]} got {a[j]}");
    }

    /// <summary>A read-only stream without Seek or Length, like a pipe or a network response.</summary>
    internal sealed class ForwardOnlyStream : Stream
    {
        private readonly MemoryStream _inner;

        public ForwardOnlyStream(byte[] bytes) => _inner = new MemoryStream(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000)); // short reads too
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
