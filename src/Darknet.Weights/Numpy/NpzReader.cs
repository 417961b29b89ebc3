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
        public static IReadOnlyList<LayerParameters> Read(Stream input, string sourceName)
        {
            try
            {
                using (var archive = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true))
                    return Read(archive, input.Length, sourceName);
            }
            catch (Exception e) when (e is InvalidDataException || e is NotSupportedException || e is EndOfStreamException)
            {
                // what System.IO.Compression throws for a damaged zip (bad directory, unknown method, bad deflate data)
                throw new DarknetException(ErrorCodes.NotNumpyFile, $"{sourceName} is not a readable .npz (zip) file: {e.Message}");
            }
        }

        private static IReadOnlyList<LayerParameters> Read(ZipArchive archive, long archiveLength, string sourceName)
        {
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
