using Darknet.Weights;
using Darknet.Weights.Numpy;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Numpy;

public class WriterTests
{
    [Fact]
    public void NpyHeaderIsNumpysObjectArrayHeader()
    {
        var bytes = TestLayers.Write(OutputFormat.Npy, Array.Empty<LayerParameters>());
        var expected = "\u0093NUMPY\u0001\u0000v\u0000{'descr': '|O', 'fortran_order': False, 'shape': (), }" + new string(' ', 63) + "\n";
        Assert.Equal(expected, System.Text.Encoding.Latin1.GetString(bytes, 0, 128));
        Assert.Equal(0x80, bytes[128]); // PROTO
        Assert.Equal(3, bytes[129]);
        Assert.Equal((byte)'.', bytes[^1]); // STOP
    }

    [Fact]
    public void NpyWriterStreamsEachLayerBeforeComplete()
    {
        var counting = new CountingStream();
        using var writer = new NpyDictionaryWriter(counting, leaveOpen: true);
        var big = new LayerParameters("conv_big", TestLayers.Values(1, 3, 3, 256, 256), null, null); // 2.25 MiB of floats
        writer.Write(big);
        long afterFirst = counting.Written;
        Assert.True(afterFirst > 3 * 3 * 256 * 256 * 4, $"only {afterFirst} bytes reached the stream after the first layer");
        writer.Write(big);
        Assert.True(counting.Written > 2 * afterFirst - 1000);
        // The writer's one buffer (1 MiB) bounds every write; a whole-array copy would be one 2.25 MiB write.
        Assert.True(counting.LargestWrite <= FloatBytes.WriteChunkBytes && counting.LargestWrite < 3 * 3 * 256 * 256 * 4,
            $"a single write of {counting.LargestWrite} bytes: the writer copied a whole array");
        long beforeComplete = counting.Written;
        writer.Complete();
        Assert.Equal(5, counting.Written - beforeComplete); // SETITEMS APPEND TUPLE BUILD STOP: nothing was held back
    }

    [Fact]
    public void NpzWriterStreamsEachLayerBeforeComplete()
    {
        var counting = new CountingStream();
        using var writer = new NpzWriter(counting, leaveOpen: true);
        writer.Write(new LayerParameters("conv_big", TestLayers.Values(1, 3, 3, 256, 256), null, null));
        Assert.True(counting.Written > 3 * 3 * 256 * 256 * 4, $"only {counting.Written} bytes reached the stream after the first layer");
        writer.Complete();
    }

    [Fact]
    public void NpzEntriesCarryAFixedTimeSoTheSameLayersGiveTheSameBytes()
    {
        var output = new MemoryStream();
        using (var writer = new NpzWriter(output, leaveOpen: true))
        {
            writer.Write(new LayerParameters("conv_1", TestLayers.Values(1, 1, 1, 2, 3), TestLayers.Values(2, 3), null));
            writer.Complete();
        }
        output.Position = 0;
        using var zip = new System.IO.Compression.ZipArchive(output);
        Assert.All(zip.Entries, e => Assert.Equal(new DateTime(1980, 1, 1), e.LastWriteTime.DateTime));
    }

    [Theory]
    [InlineData(nameof(OutputFormat.Npy))]
    [InlineData(nameof(OutputFormat.Npz))]
    public void WritingALayerAllocatesNothingLikeItsSize(string formatName)
    {
        var format = Enum.Parse<OutputFormat>(formatName); // OutputFormat is internal: a public test method cannot take it
        // yolov3's largest layer: 3x3x512x1024 floats = 18 MiB. The writer goes through one 64 KiB buffer.
        var layer = new LayerParameters("conv_big", new Tensor(new[] { 3, 3, 512, 1024 }, new float[3 * 3 * 512 * 1024]), null, null);
        using var sink = LayerSinks.Create(format, new CountingStream(), leaveOpen: true);
        sink.Write(layer); // warm-up: the first write also emits the file's opening
        long before = GC.GetAllocatedBytesForCurrentThread();
        sink.Write(layer);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 256 * 1024, $"writing an 18 MiB layer allocated {allocated} bytes");
    }

    [Fact]
    public void BatchNormMustHoldFourArrays()
    {
        using var writer = new NpyDictionaryWriter(new MemoryStream());
        var bad = new LayerParameters("conv_1", null, null, new[] { TestLayers.Values(1, 4) });
        Assert.Throws<ArgumentException>(() => writer.Write(bad));
    }

    [Fact]
    public void LayerSinksCreatesTheWriterForEachFormat()
    {
        Assert.IsType<NpyDictionaryWriter>(LayerSinks.Create(OutputFormat.Npy, new MemoryStream()));
        Assert.IsType<NpzWriter>(LayerSinks.Create(OutputFormat.Npz, new MemoryStream()));
    }

    /// <summary>A write-only stream that counts what reaches it (not seekable, like a pipe).</summary>
    internal sealed class CountingStream : Stream
    {
        public long Written { get; private set; }

        public int LargestWrite { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Written += count;
            LargestWrite = Math.Max(LargestWrite, count);
        }
    }
}
