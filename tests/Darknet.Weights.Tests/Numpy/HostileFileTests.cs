using System.Text;
using Darknet.Weights;
using Darknet.Weights.Numpy;
using Xunit;
using Darknet.Weights.Tests.Fuzz;
using Xunit.Abstractions;
using Darknet.Testing;
using PythonNumpy = Darknet.Testing.Numpy;

namespace Darknet.Weights.Tests.Numpy;

/// <summary>Hostile and broken files end in a DarknetException with a clear code: nothing runs, nothing huge is allocated.</summary>
public sealed class HostileFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "darknet-numpy-tests", Guid.NewGuid().ToString("N"));

    private readonly ITestOutputHelper _output;

    public HostileFileTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Npy(params byte[][] pickleParts)
    {
        var ms = new MemoryStream();
        NpyHeader.Write(ms, "|O", Array.Empty<int>());
        foreach (var p in pickleParts) ms.Write(p);
        return ms.ToArray();
    }

    private static byte[] B(string latin1) => Encoding.Latin1.GetBytes(latin1);

    private static DarknetException Refused(byte[] file, string code)
    {
        var e = Assert.Throws<DarknetException>(() => ModelFileReader.Read(new MemoryStream(file)));
        Assert.True(code == e.Code, $"expected {code}, got {e.Code}: {e.Message}");
        return e;
    }

    [SkippableFact]
    public void PicklesThatWouldRunCodeAreRefusedAndNothingRuns()
    {
        var marker = Path.Combine(_dir, "ran");
        PythonNumpy.RunScript("""
            import sys, os, io, pickle, builtins, numpy as np
            out, marker = sys.argv[1], sys.argv[2]
            class System:
                def __reduce__(self): return (os.system, ('touch ' + marker,))
            class Eval:
                def __reduce__(self): return (builtins.eval, ("open(%r, 'w').close()" % marker,))
            header = io.BytesIO()
            np.lib.format.write_array_header_1_0(header, {'descr': '|O', 'fortran_order': False, 'shape': ()})
            for name, obj in [('system', System()), ('eval', Eval())]:
                for protocol in (2, 3, 4):
                    d = np.empty((), dtype=object)
                    d[()] = {'conv_1': {'weights': np.zeros(2, np.float32), 'biases': obj}}
                    with open(os.path.join(out, '%s_%d.npy' % (name, protocol)), 'wb') as f:
                        f.write(header.getvalue())
                        f.write(pickle.dumps(d, protocol=protocol))
            assert not os.path.exists(marker)
            """, _dir, marker);
        foreach (var file in Directory.GetFiles(_dir, "*.npy"))
        {
            var e = Assert.Throws<DarknetException>(() => ModelFileReader.ReadFile(file));
            Assert.Equal(ErrorCodes.ForbiddenPickle, e.Code);
            // protocol 2 writes Python 3's builtins as __builtin__
            var named = !Path.GetFileName(file).StartsWith("eval") ? "'posix.system'" : file.EndsWith("_2.npy") ? "'__builtin__.eval'" : "'builtins.eval'";
            Assert.Contains(named, e.Message);
        }
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("c__builtin__\neval\n", "__builtin__.eval")]
    [InlineData("cos\nsystem\n", "os.system")]
    [InlineData("cnumpy\nload\n", "numpy.load")]
    [InlineData("cnumpy.core.multiarray\nscalar\n", "numpy.core.multiarray.scalar")]
    [InlineData("\u008c\u0008builtins\u008c\u0004eval\u0093", "builtins.eval")]
    [InlineData("(cos\nsystem\n", "os.system")]
    [InlineData("(S'echo'\nios\nsystem\n", "INST")] // protocol 0 text string first: refused as unsupported before INST? see below
    public void ForbiddenGlobalsAreNamed(string pickle, string named)
    {
        var bytes = Npy(new byte[] { 0x80, 3 }, B(pickle));
        var e = Assert.Throws<DarknetException>(() => ModelFileReader.Read(new MemoryStream(bytes)));
        if (named == "INST")
        {
            Assert.Equal(ErrorCodes.MalformedPickle, e.Code); // 'S' (protocol-0 STRING) is not an opcode numpy writes
            return;
        }
        Assert.Equal(ErrorCodes.ForbiddenPickle, e.Code);
        Assert.Contains(named, e.Message);
    }

    [Theory]
    [InlineData("(ios\nsystem\n", "INST")]
    [InlineData("(No", "OBJ")]
    [InlineData(")\u0085\u0081", "NEWOBJ")]
    [InlineData("\u0082\u0001", "EXT")]
    [InlineData("P1\n", "PERSID")]
    [InlineData("N\u0051", "PERSID")]
    [InlineData("\u0097", "out-of-band")]
    [InlineData("}N\u0062", "BUILD on a dict")]
    [InlineData("X\u0001\u0000\u0000\u0000a)R", "REDUCE on a string")]
    [InlineData("cnumpy\nndarray\n)R", "REDUCE on NdarrayType")]
    [InlineData("c_codecs\nencode\nX\u0001\u0000\u0000\u0000aX\u0005\u0000\u0000\u0000utf-8\u0086R", "_codecs.encode other than")]
    public void OpcodesThatBuildArbitraryObjectsAreRefused(string pickle, string named)
    {
        var e = Refused(Npy(new byte[] { 0x80, 2 }, B(pickle)), ErrorCodes.ForbiddenPickle);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void EveryTruncationIsAClearError()
    {
        var layers = new[] { new LayerParameters("conv_1", TestLayers.Values(1, 1, 1, 2, 3), null, new[] { TestLayers.Values(2, 3), TestLayers.Values(3, 3), TestLayers.Values(4, 3), TestLayers.Values(5, 3) }) };
        foreach (var format in new[] { OutputFormat.Npy, OutputFormat.Npz })
        {
            var whole = TestLayers.Write(format, layers);
            for (int length = 0; length < whole.Length; length++)
            {
                var cut = whole.AsSpan(0, length).ToArray();
                foreach (var stream in new Stream[] { new MemoryStream(cut), new ReaderRoundTripTests.ForwardOnlyStream(cut) })
                {
                    var e = Assert.Throws<DarknetException>(() => ModelFileReader.Read(stream));
                    Assert.Contains(e.Code, new[] { ErrorCodes.NotNumpyFile, ErrorCodes.MalformedPickle });
                }
            }
        }
    }

    [Fact]
    public void TruncationInsideALargeArrayIsAClearError()
    {
        var layers = new[] { new LayerParameters("conv_1", TestLayers.Values(1, 3, 3, 64, 128), TestLayers.Values(2, 128), null) };
        foreach (var format in new[] { OutputFormat.Npy, OutputFormat.Npz })
        {
            var whole = TestLayers.Write(format, layers);
            foreach (var length in new[] { 300, 1000, 70_000, 200_000, whole.Length - 600, whole.Length - 10 })
            {
                var cut = whole.AsSpan(0, length).ToArray();
                foreach (var stream in new Stream[] { new MemoryStream(cut), new ReaderRoundTripTests.ForwardOnlyStream(cut) })
                {
                    var e = Assert.Throws<DarknetException>(() => ModelFileReader.Read(stream));
                    Assert.Contains(e.Code, new[] { ErrorCodes.NotNumpyFile, ErrorCodes.MalformedPickle });
                }
            }
        }
    }

    [Fact]
    public void CorruptedBytesNeverEscapeAsOtherExceptions()
    {
        var layers = new[] { new LayerParameters("conv_1", TestLayers.Values(1, 1, 1, 2, 3), TestLayers.Values(2, 3), null) };
        var random = new Random(12345);
        foreach (var format in new[] { OutputFormat.Npy, OutputFormat.Npz })
        {
            var whole = TestLayers.Write(format, layers);
            for (int trial = 0; trial < 3000; trial++)
            {
                var bad = (byte[])whole.Clone();
                for (int k = 0; k < 1 + trial % 3; k++) bad[random.Next(bad.Length)] = (byte)random.Next(256);
                try
                {
                    ModelFileReader.Read(new MemoryStream(bad));
                }
                catch (DarknetException)
                {
                }
            }
        }
    }

    [Fact]
    public void HugeDeclaredLengthsAreRefusedBeforeAllocating()
    {
        // BINBYTES of 4 GiB - 1, BINUNICODE8 of 2^62, in a file of a few hundred bytes
        var bytes4 = Npy(new byte[] { 0x80, 3, (byte)'B', 0xff, 0xff, 0xff, 0xff, 1, 2, 3 });
        var e = Refused(bytes4, ErrorCodes.MalformedPickle);
        Assert.Contains("4294967295", e.Message);
        Assert.Contains("offset 135", e.Message); // file offsets: 128-byte header, PROTO 3, 'B', 4-byte length
        var bytes8 = Npy(new byte[] { 0x80, 4, 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x40, 1, 2, 3 });
        Refused(bytes8, ErrorCodes.MalformedPickle);

        // The same from a stream of unknown length: the 2 GiB cap, or a truncation after the bytes that really came.
        var big = Npy(new byte[] { 0x80, 3, (byte)'B', 0x00, 0x00, 0x00, 0x70, 1, 2, 3 }); // 1.75 GiB declared, 3 present
        var before = GC.GetAllocatedBytesForCurrentThread();
        var t = Assert.Throws<DarknetException>(() => ModelFileReader.Read(new ReaderRoundTripTests.ForwardOnlyStream(big)));
        Assert.Equal(ErrorCodes.MalformedPickle, t.Code);
        Assert.Contains("truncated", t.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, "the reader allocated from the declared length");
        Refused(Npy(new byte[] { 0x80, 4, 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x40, 1, 2, 3 }), ErrorCodes.MalformedPickle);
    }

    [Theory]
    [InlineData('2')] // DUP
    [InlineData('(')] // MARK
    public void AnOpcodeBombStopsAtTheObjectCap(char opcode)
    {
        var bomb = new byte[4_100_000];
        Array.Fill(bomb, (byte)opcode);
        var e = Refused(Npy(new byte[] { 0x80, 3, (byte)'N' }, bomb), ErrorCodes.MalformedPickle);
        Assert.Contains("objects", e.Message);
    }

    [Theory]
    [InlineData("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>")]
    [InlineData("")]
    [InlineData("\u0093NUMPY")]
    [InlineData("PK")]
    [InlineData("PK\u0003\u0004 not really a zip")]
    public void NonNumpyFilesAreNotNumpyFiles(string content)
    {
        var e = Refused(B(content), content == "\u0093NUMPY" ? ErrorCodes.MalformedPickle : ErrorCodes.NotNumpyFile);
        Assert.DoesNotContain("Exception", e.Message);
    }

    [Fact]
    public void HtmlPageMessageSaysWhatTheFileStartsWith()
    {
        var e = Refused(B("<html><body>Moved</body></html>"), ErrorCodes.NotNumpyFile);
        Assert.Contains("\"<htm\"", e.Message);
    }

    [Fact]
    public void AnEntryThatIsNotALayerArrayIsNamed()
    {
        var ms = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        using (var s = zip.CreateEntry("weights.npy").Open())
        {
            NpyHeader.Write(s, "<f4", new[] { 1 });
            s.Write(new byte[4]);
        }
        var e = Refused(ms.ToArray(), ErrorCodes.NotLayerDictionary);
        Assert.Contains("weights.npy", e.Message);
    }

    // Issue 7: 40 MB of MEMOIZE opcodes allocated 2.7 GB (one memo entry per byte, in a Dictionary).
    [Fact]
    public void TheMemoizeBombIsRefusedWithinWhatItsBytesJustify()
    {
        var bomb = Bombs.MemoizeBomb(40_000_000);
        var (e, allocated) = Measure(() => ModelFileReader.Read(new MemoryStream(bomb)));
        Assert.True(e is DarknetException { Code: ErrorCodes.MalformedPickle }, $"expected DKN3003, got {e}");
        Assert.Contains("objects", e!.Message);
        Assert.True(allocated < 128L << 20, $"the MEMOIZE bomb allocated {allocated:N0} bytes");
    }

    // Issue 7: an 8 MB .npz of eight 1 GiB zero arrays allocated 16 GB and "succeeded". The zip directory declares
    // 8 GiB of array data: over the default 4 GiB cap, so it is refused before a member is inflated.
    [Fact]
    public void TheNpzZeroBombIsRefusedBeforeInflating()
    {
        var bomb = Bombs.NpzZeroBomb(entries: 8, arrayBytes: 1L << 30);
        Assert.InRange(bomb.Length, 1 << 20, 16 << 20);
        var (e, allocated) = Measure(() => ModelFileReader.Read(new MemoryStream(bomb)));
        Assert.True(e is DarknetException { Code: ErrorCodes.ArrayDataOverCap }, $"expected {ErrorCodes.ArrayDataOverCap}, got {e?.ToString() ?? "success"}");
        Assert.Contains("4 GiB", e!.Message);
        Assert.True(allocated < 16L << 20, $"the .npz bomb allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AnEntryDeclaringMoreThanDeflateCanInflateToIsRefusedBeforeInflating()
    {
        var bomb = Bombs.NpzLyingSizeBomb(claimedBytes: 3L << 30); // 3 GiB from a few hundred compressed bytes
        var (e, allocated) = Measure(() => ModelFileReader.Read(new MemoryStream(bomb)));
        Assert.True(e is DarknetException { Code: ErrorCodes.NotNumpyFile }, $"expected DKN3001, got {e?.ToString() ?? "success"}");
        Assert.Contains("more than deflate can inflate to", e!.Message);
        Assert.True(allocated < 1L << 20, $"allocated {allocated:N0} bytes");
    }

    // The zip entry says 136 bytes (stored) or a small deflated size; the .npy header inside says 500 million floats.
    [Theory]
    [InlineData(System.IO.Compression.CompressionLevel.NoCompression)]
    [InlineData(System.IO.Compression.CompressionLevel.Optimal)]
    public void AMemberWhoseHeaderDisagreesWithItsZipSizeIsRefusedBeforeItsData(System.IO.Compression.CompressionLevel level)
    {
        var ms = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        using (var s = zip.CreateEntry("conv_1/weights.npy", level).Open())
        {
            NpyHeader.Write(s, "<f4", new[] { 500_000_000 });
            s.Write(new byte[8]);
        }
        var (e, allocated) = Measure(() => ModelFileReader.Read(new MemoryStream(ms.ToArray())));
        Assert.True(e is DarknetException { Code: ErrorCodes.NotNumpyFile }, $"expected DKN3001, got {e?.ToString() ?? "success"}");
        Assert.Contains("needs 2000000000 data bytes but the entry holds 8", e!.Message);
        Assert.True(allocated < 1L << 20, $"allocated {allocated:N0} bytes");
    }

    // 16 directory records pointing at one deflated 64 MiB array: 1 GiB of arrays (under the default cap) from 65 KB.
    [Fact]
    public void EntriesThatOverlapAreRefusedBeforeInflating()
    {
        var bomb = Bombs.NpzOverlapBomb(entries: 16, arrayBytes: 64L << 20);
        var (e, allocated) = Measure(() => ModelFileReader.Read(new MemoryStream(bomb)));
        Assert.True(e is DarknetException { Code: ErrorCodes.NotNumpyFile }, $"expected DKN3001, got {e?.ToString() ?? "success"}");
        Assert.Contains("overlap", e!.Message);
        Assert.True(allocated < 1L << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void TheTotalCapIsTheCallersToSet()
    {
        var layers = new[] { new LayerParameters("conv_1", TestLayers.Values(1, 3, 3, 64, 128), TestLayers.Values(2, 128), null) }; // 295,424 bytes of floats
        foreach (var format in new[] { OutputFormat.Npy, OutputFormat.Npz })
        {
            var file = TestLayers.Write(format, layers);
            var small = new ModelFileOptions { MaxTotalBytes = 256 << 10 };
            foreach (var stream in new Func<Stream>[] { () => new MemoryStream(file), () => new ReaderRoundTripTests.ForwardOnlyStream(file) })
            {
                var e = Assert.Throws<DarknetException>(() => ModelFileReader.Read(stream(), "model." + format.ToString().ToLowerInvariant(), small));
                Assert.True(e.Code == ErrorCodes.ArrayDataOverCap, $"{format}: {e}");
                Assert.Contains("256 KiB", e.Message);
                Assert.Single(ModelFileReader.Read(stream(), "model", new ModelFileOptions { MaxTotalBytes = 300 << 10 }));
            }
            var path = Path.Combine(_dir, "model." + format.ToString().ToLowerInvariant());
            File.WriteAllBytes(path, file);
            Assert.Equal(ErrorCodes.ArrayDataOverCap, Assert.Throws<DarknetException>(() => ModelFileReader.ReadFile(path, small)).Code);
            Assert.Single(ModelFileReader.ReadFile(path));
        }
    }

    [Fact]
    public void ANpzFromAPipeIsCopiedOnlyUpToTheCap()
    {
        var file = TestLayers.Write(OutputFormat.Npz, new[] { new LayerParameters("conv_1", TestLayers.Values(1, 1024, 1024), null, null) }); // 4 MiB stored
        var e = Assert.Throws<DarknetException>(() => ModelFileReader.Read(new ReaderRoundTripTests.ForwardOnlyStream(file), "pipe", new ModelFileOptions { MaxTotalBytes = 0 }));
        Assert.Equal(ErrorCodes.ArrayDataOverCap, e.Code);
        Assert.Contains("cannot seek", e.Message);
    }

    // One memoized bytes object built into array after array (a Fortran-order copy each time), text encoded again and
    // again, a long key hashed again and again: each makes far more than the file holds, and is refused at that point.
    [Theory]
    [InlineData("shared-data", "building arrays")]
    [InlineData("encode-again", "encoding text as bytes")]
    [InlineData("long-key-hash", "hashing dict keys")]
    public void DataBuiltAgainAndAgainFromMemoIsRefused(string bomb, string doing)
    {
        var bytes = Bombs.Pickles().Single(b => b.Name == bomb).Bytes;
        var (e, allocated) = Measure(() => ModelFileReader.Read(new MemoryStream(bytes)));
        Assert.True(e is DarknetException { Code: ErrorCodes.MalformedPickle }, $"expected DKN3003, got {e?.ToString() ?? "success"}");
        Assert.Contains(doing, e!.Message);
        Assert.True(allocated < 32L << 20, $"{bomb} ({bytes.Length:N0} bytes) allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData("mark")]
    [InlineData("dup")]
    [InlineData("empty-dict")]
    [InlineData("empty-list")]
    [InlineData("nested-lists")]
    [InlineData("binput-sparse")]
    public void OpcodeBombsStopAtTheObjectCapWithinAFewBytesPerByte(string bomb)
    {
        var bytes = Bombs.Pickles().Single(b => b.Name == bomb).Bytes;
        var (e, allocated) = Measure(() => ModelFileReader.Read(new MemoryStream(bytes)));
        Assert.True(e is DarknetException { Code: ErrorCodes.MalformedPickle }, $"expected DKN3003, got {e?.ToString() ?? "success"}");
        Assert.True(allocated < 128L << 20, $"{bomb} ({bytes.Length:N0} bytes) allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AShapeOfMoreDimensionsThanNumpyAllowsIsRefused()
    {
        var pickled = Bombs.Pickles().Single(b => b.Name == "many-dims").Bytes;
        Assert.Equal(ErrorCodes.UnsupportedArray, Refused(pickled, ErrorCodes.UnsupportedArray).Code);
        var header = Bombs.Npys().Single(b => b.Name == "many-dims").Bytes;
        Assert.Contains("more than 64 dimensions", Refused(header, ErrorCodes.NotNumpyFile).Message);
    }

    /// <summary>Runs a read on this thread: what it threw (null: it returned) and the bytes it allocated; logs both with the peak RSS.</summary>
    private (Exception? Error, long Allocated) Measure(Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Exception? error = null;
        try
        {
            read();
        }
        catch (Exception e)
        {
            error = e;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _output.WriteLine($"allocated {allocated:N0} bytes; process peak RSS {FuzzHarness.PeakRssBytes():N0} bytes; {error?.GetType().Name ?? "no error"}: {error?.Message}");
        return (error, allocated);
    }
}
