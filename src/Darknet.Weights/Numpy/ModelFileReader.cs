using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Darknet.Weights.Numpy;

/// <summary>
/// Reads a converted model back: the seed's .npy dictionary (np.save of a dict, including files numpy itself wrote)
/// or a .npz of layer/array entries, told apart by their first bytes. The .npy pickle goes through
/// <see cref="RestrictedUnpickler"/>, which builds only arrays, dicts, lists, tuples, strings and numbers.
/// Every problem is a <see cref="DarknetException"/> with a DKN3xxx code.
/// </summary>
internal static class ModelFileReader
{
    private static readonly byte[] ZipMagic = { (byte)'P', (byte)'K', 3, 4 };
    private static readonly byte[] EmptyZipMagic = { (byte)'P', (byte)'K', 5, 6 };

    public static IReadOnlyList<LayerParameters> Read(Stream input) => Read(input, "the stream");

    /// <param name="options">Limits (the total array data a read may return); null: the defaults.</param>
    public static IReadOnlyList<LayerParameters> ReadFile(string path, ModelFileOptions? options = null)
    {
        if (path == null) throw new ArgumentNullException(nameof(path));
        if (Directory.Exists(path)) throw new DarknetException(ErrorCodes.NumpyFileUnreadable, $"cannot read {path}: it is a directory");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
        {
            throw new DarknetException(ErrorCodes.NumpyFileUnreadable, $"cannot read {path}: {e.Message}", e);
        }
        // Read into arrays, not mapped (as a resource is viewed): a mapping would keep the file open as long as any array
        // lives, with no Dispose to end it (on Windows a rebuild could not replace the file), and a file truncated in
        // place under it kills the process (SIGBUS) instead of throwing. The copy costs ~1.2x the floats in memory.
        using (file) return Read(file, path, options);
    }

    /// <summary>
    /// Reads the embedded resource <paramref name="resourceName"/> of <paramref name="assembly"/>. Its arrays view the
    /// resource's memory in the assembly's image where <see cref="MappedResource"/> allows (else they are copies, as
    /// from any stream); each view holds the assembly.
    /// </summary>
    public static IReadOnlyList<LayerParameters> ReadResource(Assembly assembly, string resourceName, ModelFileOptions? options = null)
    {
        if (assembly == null) throw new ArgumentNullException(nameof(assembly));
        if (resourceName == null) throw new ArgumentNullException(nameof(resourceName));
        string sourceName = $"resource '{resourceName}' of {assembly.GetName().Name}";
        Stream? stream;
        try
        {
            stream = assembly.GetManifestResourceStream(resourceName);
        }
        catch (Exception e) when (e is IOException || e is FileLoadException || e is BadImageFormatException || e is NotSupportedException || e is NotImplementedException)
        {
            throw new DarknetException(ErrorCodes.NumpyFileUnreadable, $"cannot read {sourceName}: {e.Message}", e);
        }
        if (stream == null)
        {
            var names = assembly.GetManifestResourceNames();
            throw new DarknetException(ErrorCodes.NumpyFileUnreadable,
                $"cannot read {sourceName}: the assembly has no resource of that name (names are case-sensitive); it has " +
                (names.Length == 0 ? "none" : string.Join(", ", names.OrderBy(n => n, StringComparer.Ordinal).Select(n => "'" + n + "'"))));
        }
        // Disposing the stream frees nothing: the memory is the assembly's, and the views hold the assembly.
        using (stream) return Read(stream, sourceName, options, MappedResource.Of(stream, assembly));
    }

    /// <param name="options">Limits (the total array data a read may return); null: the defaults.</param>
    /// <param name="mapped">The resource <paramref name="input"/> is the stream of, when arrays may view it; only ReadResource passes one.</param>
    public static IReadOnlyList<LayerParameters> Read(Stream input, string sourceName, ModelFileOptions? options = null, MappedResource? mapped = null)
    {
        if (input == null) throw new ArgumentNullException(nameof(input));
        long maxTotalBytes = (options ?? new ModelFileOptions()).MaxTotalBytes;
        if (maxTotalBytes < 0) throw new ArgumentOutOfRangeException(nameof(options), maxTotalBytes, "MaxTotalBytes must not be negative");
        var start = new byte[4];
        int got = 0;
        for (; got < start.Length; got++)
        {
            int b = input.ReadByte();
            if (b < 0) break;
            start[got] = (byte)b;
        }
        if (got == 4 && (StartsWith(start, ZipMagic) || StartsWith(start, EmptyZipMagic)))
            return NpzReader.Read(Rewound(input, start, maxTotalBytes, sourceName), sourceName, maxTotalBytes, mapped);
        if (got == 4 && !StartsWith(start, new[] { NpyHeader.Magic[0], NpyHeader.Magic[1], NpyHeader.Magic[2], NpyHeader.Magic[3] }))
        {
            // A .safetensors file: an 8-byte header length, then the JSON header's '{'.
            var first9 = new byte[9];
            Array.Copy(start, first9, 4);
            int more = 4;
            for (; more < 9; more++)
            {
                int b = input.ReadByte();
                if (b < 0) break;
                first9[more] = (byte)b;
            }
            if (Safetensors.SafetensorsReader.LooksLike(first9, more))
            {
                input = Rewound(input, first9, maxTotalBytes, sourceName);
                long? length = input.CanSeek ? input.Length - input.Position : (long?)null;
                var lengthBytes = new byte[8];
                int n = 0;
                while (n < 8) { int b = input.ReadByte(); if (b < 0) break; lengthBytes[n++] = (byte)b; }
                return Safetensors.SafetensorsReader.Read(input, length, lengthBytes, sourceName, maxTotalBytes, mapped);
            }
            Array.Copy(first9, start, 4);
            got = 4;
        }
        if (got < 4 || !StartsWith(start, new[] { NpyHeader.Magic[0], NpyHeader.Magic[1], NpyHeader.Magic[2], NpyHeader.Magic[3] }))
            throw new DarknetException(ErrorCodes.NotNumpyFile, $"{sourceName} is neither a numpy .npy file (\\x93NUMPY), a .npz (zip) nor a .safetensors file: it starts with {Printable(start, got)}");

        // the two remaining magic bytes, then the header
        var reader = BoundedReader.For(input, sourceName, ErrorCodes.MalformedPickle, startOffset: start.Length, mapped);
        var rest = reader.ReadSmall(2, "the .npy magic");
        if (rest[0] != NpyHeader.Magic[4] || rest[1] != NpyHeader.Magic[5])
            throw new DarknetException(ErrorCodes.NotNumpyFile, $"{sourceName} is not a numpy .npy file: it does not start with \\x93NUMPY");
        var header = NpyHeader.ReadAfterMagic(reader, sourceName);
        if (header.Descr.TrimStart('|', '<', '>', '=') != "O" || header.Shape.Length != 0)
            throw LayerDictionary.NotLayers(sourceName, $"it holds a single {header.Descr} array of shape {NpyHeader.ShapeRepr(header.Shape)}, not np.save of a dict");
        var root = new RestrictedUnpickler(reader, maxTotalBytes).Load();
        return LayerDictionary.FromPickle(root, sourceName);
    }

    // ZipArchive needs the whole stream from its first byte: seek back, or (a pipe) copy it into memory, at most what
    // the cap allows (and what one MemoryStream holds), so a pipe cannot fill the memory.
    private static Stream Rewound(Stream input, byte[] start, long maxTotalBytes, string sourceName)
    {
        if (input.CanSeek)
        {
            input.Seek(-start.Length, SeekOrigin.Current);
            return input;
        }
        // a stored .npz is its arrays plus ~200 bytes of zip records and .npy header per entry
        long limit = Math.Min(maxTotalBytes + maxTotalBytes / 16 + (1 << 20), int.MaxValue);
        var copy = new MemoryStream();
        copy.Write(start, 0, start.Length);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (copy.Length + n > limit)
                throw new DarknetException(ErrorCodes.ArrayDataOverCap,
                    $"{sourceName}: a .npz from a stream that cannot seek is read into memory first, and this one holds more than {limit:N0} bytes " +
                    $"(the cap is {NpzReader.Size(maxTotalBytes)} of arrays); read it from a file, or raise ModelFileOptions.MaxTotalBytes");
            copy.Write(buffer, 0, n);
        }
        copy.Position = 0;
        return copy;
    }

    private static bool StartsWith(byte[] bytes, byte[] prefix)
    {
        for (int i = 0; i < prefix.Length && i < bytes.Length; i++)
            if (bytes[i] != prefix[i]) return false;
        return true;
    }

    private static string Printable(byte[] bytes, int count)
    {
        if (count == 0) return "nothing (it is empty)";
        var text = new System.Text.StringBuilder("\"");
        for (int i = 0; i < count; i++)
            text.Append(bytes[i] >= 0x20 && bytes[i] < 0x7f ? ((char)bytes[i]).ToString() : $"\\x{bytes[i]:x2}");
        return text.Append('"').ToString();
    }
}
