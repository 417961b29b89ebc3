using Darknet.Weights.IO;
using Darknet.Weights.Layout;
using Darknet.Weights.Numpy;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Conversion;

/// <summary>
/// The two-thread conversion (layers read and transposed on one thread, written on the caller's): errors and
/// cancellation come out as the one-thread loop's did, in layer order, nothing keeps reading after the caller stopped,
/// and no more than two layers exist at once.
/// </summary>
public class LayerPipelineTests
{
    private static NetworkLayout Mixed => NetworkLayout.FromCfg(TestCfgs.Mixed, "mixed.cfg");
    private static ConversionOptions MixedOptions(CancellationToken token = default) => new() { LayerNames = TestCfgs.MixedNames, Cancellation = token };

    private static LayerParameters Layer(int i) => new("l" + i, new Tensor(new[] { 1 }, new float[] { i }), null, null);

    [Fact]
    public void LayersComeOutInOrderWithAtMostTwoAlive()
    {
        int alive = 0, mostAlive = 0;
        var taken = new List<string>();
        using (var pipeline = new LayerPipeline(50, i =>
        {
            var now = Interlocked.Increment(ref alive);
            InterlockedMax(ref mostAlive, now);
            return Layer(i);
        }, CancellationToken.None))
        {
            for (int i = 0; i < 50; i++)
            {
                taken.Add(pipeline.Take().Name);
                Interlocked.Decrement(ref alive);
                pipeline.Written();
            }
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => "l" + i), taken);
        Assert.InRange(mostAlive, 1, LayerPipeline.LayersInFlight);
    }

    [Fact]
    public void ALayerStartsOnlyWhileTheLayersAliveAndItStayWithinTheFloatBudget()
    {
        // Big layers of 10 floats between small ones of 1, a budget of 15: a big one and a small one at most (three layers would be 21), and a
        // layer bigger than the whole budget still runs (alone).
        long[] sizes = Enumerable.Range(0, 40).Select(i => i == 33 ? 100L : i % 2 == 0 ? 10L : 1L).ToArray();
        long alive = 0;
        int mostAlive = 0, aliveLayers = 0, mostAliveLayers = 0;
        using (var pipeline = new LayerPipeline(sizes.Length, i =>
        {
            var now = Interlocked.Add(ref alive, sizes[i]);
            InterlockedMax(ref mostAlive, i == 33 ? 0 : (int)now);
            InterlockedMax(ref mostAliveLayers, Interlocked.Increment(ref aliveLayers));
            if (i == 33) Assert.Equal(100, now); // alone
            return Layer(i);
        }, CancellationToken.None, i => sizes[i], 15))
        {
            for (int i = 0; i < sizes.Length; i++)
            {
                Assert.Equal("l" + i, pipeline.Take().Name);
                Thread.Sleep(1); // a slow writer: the producer runs ahead as far as it may
                Interlocked.Decrement(ref aliveLayers);
                Interlocked.Add(ref alive, -sizes[i]);
                pipeline.Written();
            }
        }
        Assert.InRange(mostAlive, 1, 15);
        Assert.InRange(mostAliveLayers, 1, LayerPipeline.LayersInFlight);
    }

    [Fact]
    public void ALayerStartsOnlyWhenItsWeightsFitBesideTheOnesAlive()
    {
        // A ring of 10 and layers of 6, 4, 3 ...: the float budget alone (long.MaxValue) would start three at once; the
        // ring's Take throws if a layer starts without room. Each layer's values must be intact when it is written.
        int[] sizes = Enumerable.Range(0, 60).Select(i => new[] { 6, 4, 3, 10, 1, 5 }[i % 6]).ToArray();
        var ring = new WeightRing(10);
        using (var pipeline = new LayerPipeline(sizes.Length, i =>
        {
            var values = ring.Take(sizes[i]);
            values.Span.Fill(i);
            return new LayerParameters("l" + i, ring.Wrap(new[] { sizes[i] }, values), null, null);
        }, CancellationToken.None, i => sizes[i], long.MaxValue, ring))
        {
            for (int i = 0; i < sizes.Length; i++)
            {
                var layer = pipeline.Take();
                Assert.Equal("l" + i, layer.Name);
                Thread.Sleep(1); // a slow writer: the producer runs ahead as far as it may
                Assert.All(layer.Weights!.Values.ToArray(), v => Assert.Equal(i, v));
                ring.Release(layer);
                pipeline.Written();
            }
        }
    }

    [Fact]
    public void AProducerFailureSurfacesAfterTheLayersBeforeIt()
    {
        var failure = new DarknetException(ErrorCodes.WeightsTooShort, "layer 3 is cut short");
        using var pipeline = new LayerPipeline(10, i => i == 3 ? throw failure : Layer(i), CancellationToken.None);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("l" + i, pipeline.Take().Name);
            pipeline.Written();
        }
        var e = Assert.Throws<DarknetException>(() => pipeline.Take());
        Assert.Same(failure, e);
    }

    [Fact]
    public void WhenTheCallerStopsDisposeReturnsOnlyAfterTheProducerStopped()
    {
        Thread? producer = null;
        int produced = 0;
        var pipeline = new LayerPipeline(1000, i =>
        {
            producer = Thread.CurrentThread;
            Interlocked.Increment(ref produced);
            return Layer(i);
        }, CancellationToken.None);
        pipeline.Take(); // and the caller's sink fails on it: never Written
        pipeline.Dispose();

        Assert.NotNull(producer);
        Assert.False(producer!.IsAlive);
        Assert.InRange(produced, 1, LayerPipeline.LayersInFlight);
    }

    [Fact]
    public void ATruncatedStreamMidwayIsWeightsTooShortAfterTheWholeLayersBeforeIt()
    {
        var layout = Mixed;
        // The stream says it is whole (as a file cut while being converted would have) but ends inside layer 3.
        long cut = layout.WeightedLayers[0].FloatCount + layout.WeightedLayers[1].FloatCount + 5;
        using var weights = SyntheticWeights.Open(cut);
        var sink = new ListSink();

        var e = Assert.Throws<DarknetException>(() =>
            DarknetConverter.Convert(layout, weights, 20 + 4 * TestCfgs.MixedFloats, sink, MixedOptions()));

        Assert.Equal(ErrorCodes.WeightsTooShort, e.Code);
        Assert.Equal(TestCfgs.MixedNames.Take(2), sink.Layers.Select(l => l.Name));
        Assert.False(sink.Completed);
    }

    [Fact]
    public void ATruncatedStreamMidwayLeavesNoTempAndNoOutput()
    {
        using var dir = new TempDirectory();
        var output = dir.File("mixed.npy");
        long cut = Mixed.WeightedLayers[0].FloatCount + 7;

        var e = Assert.Throws<DarknetException>(() => AtomicFile.Write(output, stream =>
        {
            using var weights = SyntheticWeights.Open(cut);
            DarknetConverter.ConvertStream(Mixed, weights, 20 + 4 * TestCfgs.MixedFloats, stream, MixedOptions());
        }));

        Assert.Equal(ErrorCodes.WeightsTooShort, e.Code);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AFailingSinkStopsTheConversionWithItsErrorAndLeavesNoTemp()
    {
        using var dir = new TempDirectory();
        var output = dir.File("mixed.npy");
        File.WriteAllText(output, "previous");
        // Cut inside the last layer, which the reading thread may reach before the writer fails.
        using var weights = SyntheticWeights.Open(TestCfgs.MixedFloats - 10);

        // The output device fails early, as a full disk does: its error (DKN code), not the later short read's, comes out.
        var e = Assert.Throws<DarknetException>(() => AtomicFile.Write(output, stream =>
        {
            var failing = new FailingAfter(stream, bytes: 300);
            DarknetConverter.ConvertStream(Mixed, weights, 20 + 4 * TestCfgs.MixedFloats, failing, MixedOptions());
        }));

        Assert.Equal(ErrorCodes.DiskFull, e.Code);

        Assert.Equal(new[] { output }, Directory.GetFiles(dir.Path));
        Assert.Equal("previous", File.ReadAllText(output));
    }

    [Fact]
    public void CancellationMidwayStopsBeforeTheNextLayerAndLeavesNoTemp()
    {
        using var dir = new TempDirectory();
        var output = dir.File("mixed.npy");
        using var cancel = new CancellationTokenSource();
        var sink = new CancellingSink(cancel, afterLayers: 2);
        using var weights = SyntheticWeights.Open(TestCfgs.MixedFloats);

        Assert.ThrowsAny<OperationCanceledException>(() =>
            DarknetConverter.Convert(Mixed, weights, weights.Length, sink, MixedOptions(cancel.Token)));
        Assert.Equal(2, sink.Written);
        Assert.False(sink.Completed);

        // The same through the publish mechanism: the cancellation arrives from the reading side, mid-layer.
        using var cancel2 = new CancellationTokenSource();
        using var weights2 = new CancelAfterReading(SyntheticWeights.Open(TestCfgs.MixedFloats), cancel2, bytes: 20 + 4 * 100);
        Assert.ThrowsAny<OperationCanceledException>(() => AtomicFile.Write(output, stream =>
            DarknetConverter.ConvertStream(Mixed, weights2, 20 + 4 * TestCfgs.MixedFloats, stream, MixedOptions(cancel2.Token))));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private sealed class CancellingSink(CancellationTokenSource cancel, int afterLayers) : ILayerSink
    {
        public int Written { get; private set; }

        public bool Completed { get; private set; }

        public void Write(LayerParameters layer)
        {
            if (++Written == afterLayers) cancel.Cancel();
        }

        public void Complete() => Completed = true;

        public void Dispose() { }
    }

    /// <summary>Passes writes through until <paramref name="bytes"/> were written, then fails as a full device does.</summary>
    private sealed class FailingAfter(Stream inner, long bytes) : Stream
    {
        private long _left = bytes;

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (count > _left) throw new IOException("No space left on device");
            _left -= count;
            inner.Write(buffer, offset, count);
        }

        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Cancels once <paramref name="bytes"/> were read from it (on the reading thread).</summary>
    private sealed class CancelAfterReading(Stream inner, CancellationTokenSource cancel, long bytes) : Stream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            _read += n;
            if (_read >= bytes) cancel.Cancel();
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
