using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Darknet.Weights.Numpy;

namespace Darknet.Weights.Tests.Fuzz;

/// <summary>
/// Hand-made hostile inputs: small files that declare, or make a reader build, far more than they hold. The fuzz
/// harness feeds them before its mutations, and HostileFileTests measures the two from issue 7 before and after.
/// </summary>
internal static class Bombs
{
    private const byte Proto = 0x80, Memoize = 0x94, Mark = (byte)'(', None = (byte)'N', EmptyList = (byte)']', Append = (byte)'a';

    /// <summary>The .npy header of a 0-d object array, then a protocol-3 pickle made of <paramref name="pickle"/>.</summary>
    public static byte[] PickleNpy(params byte[][] pickle)
    {
        var ms = new MemoryStream();
        NpyHeader.Write(ms, "|O", Array.Empty<int>());
        ms.Write(new byte[] { Proto, 3 });
        foreach (var part in pickle) ms.Write(part);
        return ms.ToArray();
    }

    public static byte[] Repeat(byte value, int count)
    {
        var bytes = new byte[count];
        Array.Fill(bytes, value);
        return bytes;
    }

    public static byte[] Repeat(byte[] unit, int times)
    {
        var bytes = new byte[unit.Length * times];
        for (int i = 0; i < times; i++) unit.CopyTo(bytes, i * unit.Length);
        return bytes;
    }

    /// <summary>Issue 7's first bomb: None, then <paramref name="bytes"/> MEMOIZE opcodes (40 MB allocated 2.7 GB).</summary>
    public static byte[] MemoizeBomb(int bytes = 40_000_000) => PickleNpy(new[] { None }, Repeat(Memoize, bytes));

    /// <summary>
    /// Issue 7's second bomb: a .npz of <paramref name="entries"/> deflated .npy entries, each a float32 array of
    /// <paramref name="arrayBytes"/> zero bytes (8 × 1 GiB in about 8 MB). One entry is deflated for real by ZipArchive
    /// (which also computes its CRC); the others are byte copies of it under other names, so building the bomb costs
    /// one pass over the zeros, not eight.
    /// </summary>
    public static byte[] NpzZeroBomb(int entries = 8, long arrayBytes = 1L << 30)
    {
        var one = new MemoryStream();
        using (var zip = new ZipArchive(one, ZipArchiveMode.Create, leaveOpen: true))
        using (var s = zip.CreateEntry("conv_0/weights.npy", CompressionLevel.SmallestSize).Open())
        {
            NpyHeader.Write(s, "<f4", new[] { checked((int)(arrayBytes / 4)) });
            var zeros = new byte[1 << 20];
            for (long left = arrayBytes; left > 0; left -= zeros.Length) s.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
        }
        var entry = ZipEntryBytes.Parse(one.ToArray());
        var names = new string[entries];
        for (int i = 0; i < entries; i++) names[i] = $"conv_{i + 1}/weights.npy";
        return ZipEntryBytes.Write(names, entry);
    }

    /// <summary>
    /// A .npz of <paramref name="entries"/> names whose directory records all point at one deflated .npy of
    /// <paramref name="arrayBytes"/> zero bytes: each entry is valid on its own, the file holds the data once.
    /// </summary>
    public static byte[] NpzOverlapBomb(int entries = 16, long arrayBytes = 64L << 20)
    {
        var one = new MemoryStream();
        using (var zip = new ZipArchive(one, ZipArchiveMode.Create, leaveOpen: true))
        using (var s = zip.CreateEntry("conv_1/weights.npy", CompressionLevel.SmallestSize).Open())
        {
            NpyHeader.Write(s, "<f4", new[] { checked((int)(arrayBytes / 4)) });
            var zeros = new byte[1 << 20];
            for (long left = arrayBytes; left > 0; left -= zeros.Length) s.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
        }
        var names = Enumerable.Range(1, entries).Select(i => $"conv_{i}/weights.npy").ToArray();
        return ZipEntryBytes.Write(names, ZipEntryBytes.Parse(one.ToArray()), overlap: true);
    }

    /// <summary>
    /// A small valid .npz whose zip directory claims <paramref name="claimedBytes"/> for an entry (and whose .npy header
    /// agrees), though its few compressed bytes cannot inflate to that.
    /// </summary>
    public static byte[] NpzLyingSizeBomb(long claimedBytes = 3L << 30)
    {
        var one = new MemoryStream();
        using (var zip = new ZipArchive(one, ZipArchiveMode.Create, leaveOpen: true))
        using (var s = zip.CreateEntry("conv_1/weights.npy", CompressionLevel.SmallestSize).Open())
        {
            NpyHeader.Write(s, "<f4", new[] { checked((int)((claimedBytes - 128) / 4)) });
            s.Write(new byte[4096]);
        }
        var entry = ZipEntryBytes.Parse(one.ToArray());
        return ZipEntryBytes.Write(new[] { "conv_1/weights.npy" }, entry with { UncompressedSize = (uint)claimedBytes });
    }

    /// <summary>A stored .npy entry whose header declares a shape of <paramref name="count"/> floats but holds 8 bytes.</summary>
    public static byte[] NpzHugeShape(int count = 500_000_000)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        using (var s = zip.CreateEntry("conv_1/weights.npy", CompressionLevel.NoCompression).Open())
        {
            NpyHeader.Write(s, "<f4", new[] { count });
            s.Write(new byte[8]);
        }
        return ms.ToArray();
    }

    /// <summary>All pickle bombs: every one a small file that would make a careless unpickler allocate or loop without bound.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Pickles()
    {
        yield return ("memoize", MemoizeBomb(4_000_000));
        yield return ("mark", PickleNpy(Repeat(Mark, 4_000_000)));
        yield return ("dup", PickleNpy(new[] { None }, Repeat((byte)'2', 4_000_000)));
        yield return ("empty-dict", PickleNpy(Repeat((byte)'}', 4_000_000)));
        yield return ("empty-list", PickleNpy(Repeat(EmptyList, 4_000_000)));
        yield return ("empty-tuple", PickleNpy(Repeat((byte)')', 4_000_000)));
        yield return ("binput-sparse", PickleNpy(new[] { None }, SparseBinputs(1_100_000)));
        yield return ("nested-lists", PickleNpy(Repeat(new byte[] { EmptyList, Mark }, 2_000_000)));
        yield return ("list-append-self", PickleNpy(new[] { EmptyList, (byte)'2' }, Repeat(new byte[] { (byte)'2', Append }, 2_000_000)));
        yield return ("binunicode-4g", PickleNpy(new byte[] { (byte)'X', 0xff, 0xff, 0xff, 0xff, (byte)'a' }));
        yield return ("binunicode8-huge", PickleNpy(new byte[] { 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x40, (byte)'a' }));
        yield return ("binbytes8-2g", PickleNpy(new byte[] { 0x8e, 0, 0, 0, 0x80, 0, 0, 0, 0, 1, 2, 3 }));
        yield return ("long4-huge", PickleNpy(new byte[] { 0x8b, 0xff, 0xff, 0xff, 0x7f, 1 }));
        yield return ("huge-shape", PickleNpy(ArrayPickle(new long[] { 1 << 30, 1 << 30 }, 16)));
        yield return ("many-dims", PickleNpy(ArrayPickle(Enumerable.Repeat(1L, 100_000).Append(1000).ToArray(), 4000, fortran: true)));
        yield return ("shared-data", SharedDataBomb(1 << 20, 2000));
        yield return ("encode-again", EncodeAgainBomb(1 << 20, 2000));
        yield return ("long-key-hash", LongKeyBomb(1 << 20, 100_000));
    }

    // LONG_BINPUT at indices 2^31, 2^31 + 1, ...: every one a new entry of the memo's dictionary part
    private static byte[] SparseBinputs(int count)
    {
        var bytes = new byte[count * 5];
        for (int i = 0; i < count; i++)
        {
            bytes[i * 5] = (byte)'r';
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 5 + 1), 0x80000000u + (uint)i);
        }
        return bytes;
    }

    /// <summary>
    /// The opcodes of <c>_reconstruct(ndarray, (0,), b'b')</c> BUILT with (1, shape, &lt;f4, fortran, data) where data is
    /// <paramref name="dataBytes"/> zero bytes; left on the stack (no STOP).
    /// </summary>
    public static byte[] ArrayPickle(long[] shape, int dataBytes, bool fortran = false)
    {
        var p = new MemoryStream();
        p.Write(Global("numpy.core.multiarray", "_reconstruct"));
        p.Write(Global("numpy", "ndarray"));
        p.Write(new byte[] { (byte)'K', 0, (byte)'\x85', (byte)'C', 1, (byte)'b', (byte)'\x87', (byte)'R' }); // ((0,), b'b') → REDUCE
        p.WriteByte(Mark);
        p.Write(new byte[] { (byte)'K', 1 }); // version
        p.WriteByte(Mark);
        foreach (var d in shape) { p.WriteByte((byte)'J'); p.Write(BitConverter.GetBytes((int)d)); }
        p.WriteByte((byte)'t');
        p.Write(Dtype());
        p.WriteByte(fortran ? (byte)'\x88' : (byte)'\x89');
        p.WriteByte((byte)'B');
        p.Write(BitConverter.GetBytes(dataBytes));
        p.Write(new byte[dataBytes]);
        p.Write(new byte[] { (byte)'t', (byte)'b' });
        return p.ToArray();
    }

    private static byte[] Global(string module, string name) => Encoding.ASCII.GetBytes("c" + module + "\n" + name + "\n");

    // dtype('f4', False, True) BUILT with (3, '<', None, None, None, -1, -1, 0)
    private static byte[] Dtype()
    {
        var p = new MemoryStream();
        p.Write(Global("numpy", "dtype"));
        p.Write(new byte[] { (byte)'X', 2, 0, 0, 0, (byte)'f', (byte)'4', (byte)'\x89', (byte)'\x88', (byte)'\x87', (byte)'R' });
        p.Write(new byte[] { Mark, (byte)'K', 3, (byte)'X', 1, 0, 0, 0, (byte)'<', None, None, None, (byte)'J', 0xff, 0xff, 0xff, 0xff, (byte)'J', 0xff, 0xff, 0xff, 0xff, (byte)'K', 0, (byte)'t', (byte)'b' });
        return p.ToArray();
    }

    /// <summary>One bytes object of <paramref name="dataBytes"/>, memoized, then <paramref name="arrays"/> Fortran-order arrays built over it.</summary>
    private static byte[] SharedDataBomb(int dataBytes, int arrays)
    {
        var p = new MemoryStream();
        p.WriteByte((byte)'B');
        p.Write(BitConverter.GetBytes(dataBytes));
        p.Write(new byte[dataBytes]);
        p.Write(new byte[] { (byte)'r', 0, 0, 0, 0 }); // LONG_BINPUT 0
        p.WriteByte(EmptyList);
        var one = ArrayOver(new long[] { 2, dataBytes / 8 }, fortran: true);
        for (int i = 0; i < arrays; i++) { p.Write(one); p.WriteByte(Append); }
        return PickleNpy(p.ToArray());
    }

    // _reconstruct + BUILD whose data is memo entry 0
    private static byte[] ArrayOver(long[] shape, bool fortran)
    {
        var p = new MemoryStream();
        p.Write(Global("numpy.core.multiarray", "_reconstruct"));
        p.Write(Global("numpy", "ndarray"));
        p.Write(new byte[] { (byte)'K', 0, (byte)'\x85', (byte)'C', 1, (byte)'b', (byte)'\x87', (byte)'R', Mark, (byte)'K', 1, Mark });
        foreach (var d in shape) { p.WriteByte((byte)'J'); p.Write(BitConverter.GetBytes((int)d)); }
        p.WriteByte((byte)'t');
        p.Write(Dtype());
        p.WriteByte(fortran ? (byte)'\x88' : (byte)'\x89');
        p.Write(new byte[] { (byte)'j', 0, 0, 0, 0, (byte)'t', (byte)'b' }); // LONG_BINGET 0
        return p.ToArray();
    }

    /// <summary>A latin-1 text of <paramref name="chars"/>, memoized, then _codecs.encode'd <paramref name="times"/> times.</summary>
    private static byte[] EncodeAgainBomb(int chars, int times)
    {
        var p = new MemoryStream();
        p.WriteByte((byte)'X');
        p.Write(BitConverter.GetBytes(chars));
        p.Write(Repeat((byte)'a', chars));
        p.Write(new byte[] { (byte)'r', 0, 0, 0, 0, (byte)'0', EmptyList });
        var one = new MemoryStream();
        one.Write(Global("_codecs", "encode"));
        one.Write(new byte[] { (byte)'j', 0, 0, 0, 0, (byte)'X', 6, 0, 0, 0 });
        one.Write(Encoding.ASCII.GetBytes("latin1"));
        one.Write(new byte[] { (byte)'\x86', (byte)'R', Append });
        p.Write(Repeat(one.ToArray(), times));
        return PickleNpy(p.ToArray());
    }

    /// <summary>A long string, memoized, used as a dict key <paramref name="times"/> times (each SETITEM hashes it again).</summary>
    private static byte[] LongKeyBomb(int chars, int times)
    {
        var p = new MemoryStream();
        p.WriteByte((byte)'X');
        p.Write(BitConverter.GetBytes(chars));
        p.Write(Repeat((byte)'k', chars));
        p.Write(new byte[] { (byte)'r', 0, 0, 0, 0, (byte)'0', (byte)'}' });
        p.Write(Repeat(new byte[] { (byte)'j', 0, 0, 0, 0, None, (byte)'s' }, times));
        return PickleNpy(p.ToArray());
    }

    /// <summary>Hostile .npz files besides the two big bombs (those are built only by the tests that need them).</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Npzs()
    {
        yield return ("lying-size", NpzLyingSizeBomb());
        yield return ("huge-shape", NpzHugeShape());
        yield return ("zip-of-many-small-bombs", NpzZeroBomb(entries: 64, arrayBytes: 64L << 20));
        yield return ("overlapping-entries", NpzOverlapBomb(entries: 3, arrayBytes: 64L << 20)); // 192 MiB: under the fuzz's cap
    }

    /// <summary>Hostile .npy headers (a plain array .npy is refused as "not a dict", after its header is checked).</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Npys()
    {
        yield return ("huge-shape", NpyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647), }"));
        yield return ("many-dims", NpyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (" + string.Concat(Enumerable.Repeat("1, ", 3000)) + "), }"));
        yield return ("header-64k", RawNpy(1, 0xffff, 10));
        yield return ("header-4g", RawNpy(2, 0xffffffff, 10));
        yield return ("deep-parens", NpyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': " + new string('(', 9000) + "), }"));
        yield return ("object-then-memoize", MemoizeBomb(1_000_000));
    }

    private static byte[] NpyWithHeader(string dict)
    {
        var text = dict + new string(' ', 63 - (10 + dict.Length) % 64) + "\n";
        var bytes = new byte[10 + text.Length];
        NpyHeader.Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), checked((ushort)text.Length));
        Encoding.ASCII.GetBytes(text).CopyTo(bytes, 10);
        return bytes;
    }

    private static byte[] RawNpy(int major, uint headerLength, int present)
    {
        var ms = new MemoryStream();
        ms.Write(NpyHeader.Magic);
        ms.WriteByte((byte)major);
        ms.WriteByte(0);
        if (major == 1) ms.Write(BitConverter.GetBytes((ushort)headerLength));
        else ms.Write(BitConverter.GetBytes(headerLength));
        ms.Write(Repeat((byte)' ', present));
        return ms.ToArray();
    }

    /// <summary>Hostile cfg texts: absurd sizes that would make a careless converter allocate before it reads a float.</summary>
    public static IEnumerable<(string Name, string Text)> Cfgs()
    {
        yield return ("filters-2e9", "[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=2000000000\nsize=1\n");
        yield return ("huge-layer", "[net]\nwidth=1\nheight=1\nchannels=1048576\n[convolutional]\nfilters=2047\nsize=1\n");
        yield return ("huge-connected", "[net]\nwidth=1024\nheight=1024\nchannels=1\n[connected]\noutput=2047\n");
        yield return ("many-huge-layers", "[net]\nwidth=1\nheight=1\nchannels=65536\n" + string.Concat(Enumerable.Repeat("[convolutional]\nfilters=65536\nsize=1\n", 50)));
        yield return ("deconv-growth", "[net]\nwidth=1024\nheight=1024\nchannels=3\n[deconvolutional]\nfilters=1048576\nsize=1048576\nstride=1048576\n");
        yield return ("many-routes", "[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=1\n[route]\nlayers=" + string.Join(",", Enumerable.Repeat("-1", 200_000)) + "\n");
        yield return ("many-sections", "[net]\nwidth=8\nheight=8\n" + string.Concat(Enumerable.Repeat("[shortcut]\nfrom=-1\n", 100_000)));
        yield return ("long-line", "[net]\nwidth=" + new string('9', 1_000_000) + "\n");
    }
}

/// <summary>One deflated zip entry's bytes and directory fields, to write the same entry under several names.</summary>
internal sealed record ZipEntryBytes(ushort Method, uint Crc, uint CompressedSize, uint UncompressedSize, byte[] Data)
{
    public static ZipEntryBytes Parse(byte[] zip)
    {
        int eocd = zip.Length - 22;
        if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(eocd)) != 0x06054b50) throw new InvalidOperationException("no plain end of central directory");
        int cd = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(eocd + 16));
        var method = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(cd + 10));
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(cd + 16));
        var compressed = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(cd + 20));
        var uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(cd + 24));
        if (compressed == uint.MaxValue || uncompressed == uint.MaxValue) throw new InvalidOperationException("zip64 entry");
        int local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(cd + 42));
        int data = local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 28));
        return new ZipEntryBytes(method, crc, compressed, uncompressed, zip.AsSpan(data, (int)compressed).ToArray());
    }

    /// <summary>
    /// A zip holding this entry once per name (no extra fields, no data descriptors); with <paramref name="overlap"/>,
    /// the entry's bytes are there once and every name's directory record points at them (the overlapping-entries bomb).
    /// </summary>
    public static byte[] Write(IReadOnlyList<string> names, ZipEntryBytes entry, bool overlap = false)
    {
        var ms = new MemoryStream();
        var offsets = new long[names.Count];
        for (int i = 0; i < (overlap ? 1 : names.Count); i++)
        {
            offsets[i] = ms.Position;
            var name = Encoding.ASCII.GetBytes(names[i]);
            var h = new byte[30];
            BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(4), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(8), entry.Method);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(10), 0x6000); // 12:00
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(12), 0x5A21); // 2025-01-01
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(14), entry.Crc);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(18), entry.CompressedSize);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(22), entry.UncompressedSize);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(26), (ushort)name.Length);
            ms.Write(h);
            ms.Write(name);
            ms.Write(entry.Data);
        }
        long cdStart = ms.Position;
        for (int i = 0; i < names.Count; i++)
        {
            var name = Encoding.ASCII.GetBytes(names[i]);
            var c = new byte[46];
            BinaryPrimitives.WriteUInt32LittleEndian(c, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(4), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(6), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(10), entry.Method);
            BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(12), 0x6000);
            BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(14), 0x5A21);
            BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(16), entry.Crc);
            BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(20), entry.CompressedSize);
            BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(24), entry.UncompressedSize);
            BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(28), (ushort)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(42), (uint)offsets[i]);
            ms.Write(c);
            ms.Write(name);
        }
        long cdEnd = ms.Position;
        var e = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(e, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(8), (ushort)names.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(10), (ushort)names.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(12), (uint)(cdEnd - cdStart));
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(16), (uint)cdStart);
        ms.Write(e);
        return ms.ToArray();
    }
}
