using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace Darknet.Weights.Numpy
{
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

        public static IReadOnlyList<LayerParameters> Read(Stream input, string sourceName, long maxTotalBytes)
        {
            try
            {
                using (var archive = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true))
                    return Read(archive, input.Length, sourceName, maxTotalBytes);
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

        private static IReadOnlyList<LayerParameters> Read(ZipArchive archive, long archiveLength, string sourceName, long maxTotalBytes)
        {
            CheckDeclaredSizes(archive, archiveLength, sourceName, maxTotalBytes);
            var arrays = new LayerArrays(sourceName);
            foreach (var entry in archive.Entries)
            {
                if (entry.FullName.EndsWith("/", StringComparison.Ordinal) && entry.Length == 0) continue; // a directory
                var key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName.Substring(0, entry.FullName.Length - 4) : entry.FullName;
                arrays.Parse(key, entry.FullName, out _, out _);
                arrays.Add(key, ReadEntry(entry, archiveLength, sourceName + ":" + entry.FullName), entry.FullName);
            }
            return arrays.ToLayers();
        }

        private static Tensor ReadEntry(ZipArchiveEntry entry, long archiveLength, string where)
        {
            using (var s = entry.Open())
            {
                // A stored entry's size is bounded by the file itself and can size the buffer; a deflated entry can
                // claim gigabytes from a few bytes, so then the buffer grows only as data really comes out.
                long? knownLength = entry.Length == entry.CompressedLength && entry.Length <= archiveLength ? entry.Length : (long?)null;
                var reader = new BoundedReader(s, where, ErrorCodes.NotNumpyFile, knownLength);
                var header = NpyHeader.Read(reader, where);
                if (header.Descr.TrimStart('|', '<', '>', '=') == "O")
                    throw new DarknetException(ErrorCodes.UnsupportedArray, $"{where} is a pickled object array; a .npz is read without unpickling, so only float32 arrays are supported");
                bool bigEndian = Float32Arrays.RequireFloat32(header.Descr, '=', where);
                int count = Float32Arrays.ElementCount(header.Shape, where);
                if (reader.Offset + (long)count * 4 != entry.Length)
                    throw new DarknetException(ErrorCodes.NotNumpyFile, $"{where}: shape {NpyHeader.ShapeRepr(header.Shape)} needs {(long)count * 4} data bytes but the entry holds {entry.Length - reader.Offset}");
                var floats = bigEndian
                    ? FloatBytes.ToFloats(reader.ReadExactly((long)count * 4, "the array data"), 0, count, bigEndian: true)
                    : reader.ReadFloatsLittleEndian((long)count * 4, "the array data");
                if (header.FortranOrder) floats = Float32Arrays.FortranToC(floats, header.Shape);
                return new Tensor(header.Shape, floats);
            }
        }
    }
}
