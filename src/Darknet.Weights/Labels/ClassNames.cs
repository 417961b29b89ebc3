using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Darknet.Weights.IO;
using Darknet.Weights.Layout;
using Darknet.Weights.Safetensors;

namespace Darknet.Weights.Labels;

/// <summary>
/// A network's class names in class order, read as darknet's get_labels reads a .names file (AlexeyAB's fgetl): one
/// name a line, the line's LF or CR LF removed and nothing else, so spaces stay and an empty line is a name too (darknet
/// counts it); a last line without a line break counts. The built-in lists (COCO, Open Images, VOC) are darknet's
/// data/*.names, shipped as resources of this assembly.
/// </summary>
internal sealed class ClassNames
{
    /// <summary>The largest file taken for a .names file (Open Images' 601 names are 5 KB; ImageNet's 21,842 about 200 KB).</summary>
    public const long MaxBytes = 4 * 1024 * 1024;

    private const string ResourcePrefix = "Darknet.Weights.Labels.";
    private readonly Lazy<IReadOnlyList<string>> _names;

    private ClassNames(Func<IReadOnlyList<string>> names, string source)
    {
        _names = new Lazy<IReadOnlyList<string>>(names);
        Source = source;
    }

    /// <summary>darknet's data/coco.names: the 80 COCO classes every built-in YOLO detector is trained on.</summary>
    public static ClassNames Coco { get; } = BuiltIn("coco.names");

    /// <summary>darknet's data/openimages.names: the 601 Open Images classes of yolov3-openimages.</summary>
    public static ClassNames OpenImages { get; } = BuiltIn("openimages.names");

    /// <summary>darknet's data/voc.names: the 20 Pascal VOC classes.</summary>
    public static ClassNames Voc { get; } = BuiltIn("voc.names");

    public IReadOnlyList<string> Names => _names.Value;

    public int Count => Names.Count;

    /// <summary>Where the names came from, for messages: the file's path, or "coco.names (built in)".</summary>
    public string Source { get; }

    /// <summary>The names as a JSON array of strings, in class order.</summary>
    public string ToJson() => "[" + string.Join(",", Names.Select(Json.Quote)) + "]";

    /// <summary>
    /// Reads a .names file: DKN1006 when it does not exist or cannot be read, DKN1008 when it is no text (a NUL byte),
    /// over <see cref="MaxBytes"/> (a .weights file given as the names, say) or no regular file, refused before it is read whole.
    /// </summary>
    public static ClassNames ReadFile(string path)
    {
        if (path == null) throw new ArgumentNullException(nameof(path));
        if (!File.Exists(path))
            throw new DarknetException(ErrorCodes.NamesNotFound, $"names file not found: {path}");
        // A FIFO would block the open until someone writes to it: refused unopened, as a weights file is.
        var kind = FileStatus.Of(path, followLinks: true);
        if (kind.Kind == FileKind.Other)
            throw new DarknetException(ErrorCodes.BadNames, $"{path} is not a regular file but {kind.TypeName}: give the .names file itself");
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxBytes)
                throw new DarknetException(ErrorCodes.BadNames,
                    $"{path} is {length.ToString("N0", CultureInfo.InvariantCulture)} bytes, not a .names file (one class name a line, a few KB)");
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var copy = new MemoryStream();
            var buffer = new byte[1 << 16];
            int n;
            while ((n = file.Read(buffer, 0, buffer.Length)) > 0)
            {
                copy.Write(buffer, 0, n);
                if (copy.Length > MaxBytes) // a device reports no length: /dev/zero is cut off here
                    throw new DarknetException(ErrorCodes.BadNames, $"{path} is over {MaxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, not a .names file (one class name a line, a few KB)");
            }
            return Parse(copy.ToArray(), (int)copy.Length, path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DarknetException(ErrorCodes.NamesNotFound, $"cannot read names file {path}: permission denied", e);
        }
        catch (IOException e)
        {
            throw new DarknetException(ErrorCodes.NamesNotFound, $"cannot read names file {path}: {e.Message}", e);
        }
    }

    /// <summary>The names in <paramref name="count"/> bytes of a .names file (UTF-8; a leading byte order mark is no part of the first name).</summary>
    public static ClassNames Parse(byte[] bytes, int count, string source)
    {
        if (Array.IndexOf(bytes, (byte)0, 0, count) >= 0)
            throw new DarknetException(ErrorCodes.BadNames, $"{source} holds a NUL byte: it is no .names file (text, one class name a line)");
        int start = count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        var text = Encoding.UTF8.GetString(bytes, start, count - start);
        var names = new List<string>();
        int at = 0;
        while (at < text.Length)
        {
            int end = text.IndexOf('\n', at);
            var line = end < 0 ? text.Substring(at) : text.Substring(at, end - at);
            if (line.EndsWith("\r", StringComparison.Ordinal)) line = line.Substring(0, line.Length - 1);
            names.Add(line);
            if (end < 0) break;
            at = end + 1;
        }
        return new ClassNames(() => names, source);
    }

    /// <summary>The shipped bytes of a built-in list (<c>coco.names</c>, <c>openimages.names</c>, <c>voc.names</c>).</summary>
    internal static byte[] BuiltInBytes(string fileName)
    {
        using var stream = typeof(ClassNames).Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
                           ?? throw new InvalidOperationException($"Darknet.Weights has no resource {ResourcePrefix + fileName}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Checks that the names fit the network, as darknet's detector does before it runs: as many as every
    /// [yolo]/[Gaussian_yolo]/[region] layer's classes; in a network without such layers (a classifier), as many as
    /// its output's channels. A mismatch is DKN1008, naming both counts and both files.
    /// </summary>
    public void CheckFits(NetworkLayout layout)
    {
        if (layout == null) throw new ArgumentNullException(nameof(layout));
        var heads = layout.Layers.Where(l => l.Head != null).ToList();
        foreach (var layer in heads)
        {
            if (layer.Head!.Classes != Count)
                throw Mismatch($"classes={layer.Head.Classes} in [{layer.SectionName}] layer {layer.Index} ({Where(layout, layer)})");
        }
        if (heads.Count > 0) return;
        var output = OutputLayer(layout);
        if (output.OutputChannels != Count)
            throw Mismatch($"{output.OutputChannels} output channels in its last layer, [{output.SectionName}] layer {output.Index} ({Where(layout, output)}), " +
                           "and no [yolo] or [region] layer: a classifier's names label its output's channels");
    }

    /// <summary>
    /// The network's class count when it has one: every detection layer's classes when they agree; null for a network
    /// without detection layers, or with layers that disagree.
    /// </summary>
    public static int? ClassesOf(NetworkLayout layout)
    {
        var classes = layout.Layers.Where(l => l.Head != null).Select(l => l.Head!.Classes).Distinct().ToList();
        return classes.Count == 1 ? classes[0] : (int?)null;
    }

    private DarknetException Mismatch(string what) =>
        new DarknetException(ErrorCodes.BadNames,
            $"{Source} holds {Count} {(Count == 1 ? "name" : "names")}, but the network has {what}: the names file must hold one name per class, " +
            "one a line, as darknet counts them (an empty line is a name too)");

    private static string Where(NetworkLayout layout, LayerInfo layer) =>
        layer.Line > 0 ? $"{layout.SourceName}, line {layer.Line}" : layout.SourceName;

    // darknet's network output: the last layer that is not a cost layer.
    private static LayerInfo OutputLayer(NetworkLayout layout)
    {
        int last = layout.Layers.Count - 1;
        while (last > 0 && layout.Layers[last].Type == LayerType.Cost) last--;
        return layout.Layers[last];
    }

    private static ClassNames BuiltIn(string fileName) => new ClassNames(() =>
    {
        var bytes = BuiltInBytes(fileName);
        return Parse(bytes, bytes.Length, fileName).Names;
    }, fileName + " (built in)");
}
