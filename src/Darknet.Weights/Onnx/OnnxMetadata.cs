using System.Collections.Generic;
using System.Globalization;
using Darknet.Weights.Labels;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Onnx;

/// <summary>
/// The ONNX model's metadata_props (ONNX Runtime: <c>session.ModelMetadata.CustomMetadataMap</c>; python:
/// <c>onnx.load(path).metadata_props</c>): what a program needs beside the graph to use the outputs.
/// </summary>
internal static class OnnxMetadata
{
    /// <summary>The [net] section's width and height, "416x416" (width first, as darknet prints sizes).</summary>
    public const string InputSize = "input_size";

    /// <summary>What the outputs are: "layers" (each output is a darknet layer's output, see the README).</summary>
    public const string Outputs = "outputs";

    /// <summary>The class count ("80"): the names' count, else every detection layer's classes when they agree; absent otherwise.</summary>
    public const string Classes = "classes";

    /// <summary>The class names in class order as a JSON array of strings; absent when none were given.</summary>
    public const string Names = "names";

    /// <summary>The entries for <paramref name="layout"/>; names that do not fit the network are refused here (DKN1008), before any output.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(NetworkLayout layout, ConversionOptions options)
    {
        var names = options.ClassNames;
        names?.CheckFits(layout);
        var entries = new List<KeyValuePair<string, string>>
        {
            Entry(InputSize, layout.Width.ToString(CultureInfo.InvariantCulture) + "x" + layout.Height.ToString(CultureInfo.InvariantCulture)),
            Entry(Outputs, OnnxExportOptions.Name(options.Onnx.Outputs)),
        };
        var classes = names?.Count ?? ClassNames.ClassesOf(layout);
        if (classes != null) entries.Add(Entry(Classes, classes.Value.ToString(CultureInfo.InvariantCulture)));
        if (names != null) entries.Add(Entry(Names, names.ToJson()));
        return entries;
    }

    private static KeyValuePair<string, string> Entry(string key, string value) => new KeyValuePair<string, string>(key, value);
}
