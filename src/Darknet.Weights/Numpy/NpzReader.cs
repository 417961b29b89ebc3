using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace Darknet.Weights.Numpy;

/// <summary>
/// Reads a .npz of <c>layer/weights</c>, <c>layer/biases</c>, <c>layer/gamma</c>, <c>layer/beta</c>,
/// <c>layer/moving_mean</c>, <c>layer/moving_variance</c> entries into layers, in the order the layers first appear.
/// Only plain float32 .npy entries are read; a pickled (object) entry is refused, never unpickled.
/// </summary>
internal static class NpzReader
{
    /// <summary>
    /// Deflate's longest match (258 bytes) costs at least two bits, so no deflated member inflates to more than
    /// 1032 times its compressed size (np.savez_compressed writes deflate; Deflate64 is not a numpy format).
    /// </summary>
    private const long MaxDeflateRatio = 1032;

    /// <param name="mapped">The resource <paramref name="input"/> is the stream of, when stored members may be views of it.</param>
    public static IReadOnlyList<LayerParameters> Read(Stream input, string sourceName, long maxTotalBytes, MappedResource? mapped = null)
    {
        try
        {
            using (var archive = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true))
                return Read(archive, input.Length, sourceName, maxTotalBytes, mapped);
        }
        catch (Exception e) when (e is InvalidDataException || e is NotSupportedException || e is EndOfStreamException)
        {
            // what System.IO.Compression throws for a damaged zip (bad directory, unknown method, bad deflate data)
            throw new DarknetException(ErrorCodes.NotNumpyFile, $"{sourceName} is not a readable .npz (zip) file: {e.Message}");
        }
    }

    /// <summary>"4 GiB", "512 MiB", "256 KiB" or a byte count: a cap as the messages name it.</summary>
    internal static string Size(long bytes) =>
        bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB"
        : bytes >= 1L << 20 && bytes % (1L << 20) == 0 ? $"{bytes >> 20} MiB"
        : bytes >= 1L << 10 && bytes % (1L << 10) == 0 ? $"{bytes >> 10} KiB"
        : $"{bytes:N0} bytes";

    /// <summary>
    /// Before a member is inflated: what each entry declares (the zip directory's uncompressed size) must be something
    /// its compressed bytes can inflate to, the entries' compressed bytes must fit in the file side by side (entries
    /// that overlap, so one stretch of deflate data counts many times, are a known zip bomb), and all declared sizes
    /// together must fit the cap.
    /// </summary>
    private static void CheckDeclaredSizes(ZipArchive archive, long archiveLength, string sourceName, long maxTotalBytes)
    {
        long total = 0, totalCompressed = 0;
        foreach (var entry in archive.Entries)
        {
            long declared = entry.Length, compressed = entry.CompressedLength;
            totalCompressed += compressed;
            if (declared < 0 || compressed < 0 || compressed > archiveLength)
                throw new DarknetException(ErrorCodes.NotNumpyFile, $"{sourceName}:{entry.FullName}: the zip directory gives impossible sizes ({declared:N0} bytes from {compressed:N0} compressed)");
            if (totalCompressed > archiveLength)
                throw new DarknetException(ErrorCodes.NotNumpyFile,
                    $"{sourceName}: its entries' compressed sizes add up to more than the file's {archiveLength:N0} bytes: they overlap (a zip bomb) or the directory is corrupt");
            if (declared > compressed && declared / MaxDeflateRatio > compressed)
                throw new DarknetException(ErrorCodes.NotNumpyFile,
                    $"{sourceName}:{entry.FullName}: the zip directory declares {declared:N0} bytes from {compressed:N0} compressed bytes, more than deflate can inflate to ({MaxDeflateRatio}x); the .npz is corrupt or hostile");
            total += declared;
            if (total > maxTotalBytes)
                throw new DarknetException(ErrorCodes.ArrayDataOverCap,
                    $"{sourceName}: its entries declare more than {Size(maxTotalBytes)} of data, this reader's cap (ModelFileOptions.MaxTotalBytes); nothing was inflated");
        }
    }

    private static IReadOnlyList<LayerParameters> Read(ZipArchive archive, long archiveLength, string sourceName, long maxTotalBytes, MappedResource? mapped)
    {
        CheckDeclaredSizes(archive, archiveLength, sourceName, maxTotalBytes);
        var arrays = new LayerArrays(sourceName);
        foreach (var entry in archive.Entries)
        {
            if (entry.FullName.EndsWith("/", StringComparison.Ordinal) && entry.Length == 0) continue; // a directory
            var key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName.Substring(0, entry.FullName.Length - 4) : entry.FullName;
            arrays.Parse(key, entry.FullName, out _, out _);
            arrays.Add(key, ReadEntry(entry, archiveLength, sourceName + ":" + entry.FullName, mapped), entry.FullName);
        }
        return arrays.ToLayers();
    }

    private static Tensor ReadEntry(ZipArchiveEntry entry, long archiveLength, string where, MappedResource? mapped)
    {
        // A stored member of a resource is viewed where it lies; a deflated one (np.savez_compressed) must be inflated
        // into a copy, as must a big-endian or Fortran-order array.
        if (mapped != null && entry.Length == entry.CompressedLength && TryViewStored(entry, archiveLength, where, mapped, out var view)) return view;
        using (var s = entry.Open())
        {
            var reader = EntryReader(s, entry, archiveLength, where);
            var header = ReadHeader(reader, entry, where, out bool bigEndian, out int count);
            var floats = bigEndian
                ? FloatBytes.ToFloats(reader.ReadExactly((long)count * 4, "the array data"), 0, count, bigEndian: true)
                : reader.ReadFloatsLittleEndian((long)count * 4, "the array data");
            if (header.FortranOrder) floats = Float32Arrays.FortranToC(floats, header.Shape);
            return new Tensor(header.Shape, floats);
        }
    }

    // ZipArchive does not say where a member's data starts in the file. A stored member's stream reads the file's own
    // bytes in order, so once the .npy header has been read through it the resource stream stands at the first data
    // byte: reading the first float through the member must then move that position by exactly 4 bytes and give the
    // bytes the memory holds there. Anything else (a deflated member whose sizes happen to be equal, a zip library
    // that buffers) fails that test, and the member is read again as a copy.
    private static bool TryViewStored(ZipArchiveEntry entry, long archiveLength, string where, MappedResource mapped, out Tensor tensor)
    {
        tensor = null!;
        using (var s = entry.Open())
        {
            var reader = EntryReader(s, entry, archiveLength, where);
            var header = ReadHeader(reader, entry, where, out bool bigEndian, out int count);
            if (bigEndian || (header.FortranOrder && header.Shape.Length > 1) || count == 0) return false;
            long at = mapped.Stream.Position;
            if (!mapped.TryViewAt(at, (long)count * 4, out var view)) return false;
            var first = reader.ReadSmall(4, "the array data");
            var expected = System.Runtime.InteropServices.MemoryMarshal.AsBytes(view.Span.Slice(0, 1));
            if (mapped.Stream.Position != at + 4 || first[0] != expected[0] || first[1] != expected[1] || first[2] != expected[2] || first[3] != expected[3])
                return false;
            tensor = new Tensor(header.Shape, view);
            return true;
        }
    }

    // A stored entry's size is bounded by the file itself and can size the buffer; a deflated entry can claim
    // gigabytes from a few bytes, so then the buffer grows only as data really comes out.
    private static BoundedReader EntryReader(Stream s, ZipArchiveEntry entry, long archiveLength, string where) =>
        new BoundedReader(s, where, ErrorCodes.NotNumpyFile, entry.Length == entry.CompressedLength && entry.Length <= archiveLength ? entry.Length : (long?)null);

    private static NpyHeader ReadHeader(BoundedReader reader, ZipArchiveEntry entry, string where, out bool bigEndian, out int count)
    {
        var header = NpyHeader.Read(reader, where);
        if (header.Descr.TrimStart('|', '<', '>', '=') == "O")
            throw new DarknetException(ErrorCodes.UnsupportedArray, $"{where} is a pickled object array; a .npz is read without unpickling, so only float32 arrays are supported");
        bigEndian = Float32Arrays.RequireFloat32(header.Descr, '=', where);
        count = Float32Arrays.ElementCount(header.Shape, where);
        if (reader.Offset + (long)count * 4 != entry.Length)
            throw new DarknetException(ErrorCodes.NotNumpyFile, $"{where}: shape {NpyHeader.ShapeRepr(header.Shape)} needs {(long)count * 4} data bytes but the entry holds {entry.Length - reader.Offset}");
        return header;
    }
}
