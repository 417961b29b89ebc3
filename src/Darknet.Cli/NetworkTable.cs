using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;

namespace Darknet.Cli;

/// <summary>
/// <c>darknet inspect --cfg|--model</c>: a network's description as a table, one line per layer (its section, input
/// and output shapes, the floats it stores and the names they are converted under), then the exact size of the
/// .weights file that belongs to it.
/// </summary>
internal static class NetworkTable
{
    public static void Write(NetworkLayout layout, Func<NetworkLayout, IReadOnlyList<string>> names, BuiltInModel? model, TextWriter output)
    {
        var blockNames = names(layout);
        var nameOf = new Dictionary<StoredBlock, string>();
        for (int i = 0; i < blockNames.Count && i < layout.Blocks.Count; i++) nameOf[layout.Blocks[i]] = blockNames[i];

        output.WriteLine($"{model?.Name ?? layout.SourceName}: input {layout.Width}x{layout.Height}x{layout.Channels}, " +
                         $"{layout.Layers.Count} layers, {layout.WeightedLayers.Count} of them store floats");
        var rows = new List<string[]> { new[] { "layer", "section", "input", "output", "floats", "stored as" } };
        foreach (var layer in layout.Layers)
        {
            var stored = layer.Stored.Count == 1
                ? Name(nameOf, layer.Stored[0])
                : string.Join(", ", layer.Stored.Select(b => $"{Name(nameOf, b)} {N(b.FloatCount)}"));
            rows.Add(new[]
            {
                layer.Index.ToString(CultureInfo.InvariantCulture), layer.SectionName,
                // a route reads the layers it names, not the one before it
                layer.Type == LayerType.Route ? "layers " + string.Join(",", layer.Sources) : Shape(layer.InputWidth, layer.InputHeight, layer.InputChannels),
                Shape(layer.OutputWidth, layer.OutputHeight, layer.OutputChannels),
                layer.HasWeights ? N(layer.FloatCount) : "", stored,
            });
        }
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            var cells = new[]
            {
                row[0].PadLeft(widths[0]), row[1].PadRight(widths[1]), row[2].PadRight(widths[2]), row[3].PadRight(widths[3]), row[4].PadLeft(widths[4]), row[5],
            };
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }

        long floats = layout.FloatCount();
        var size = DarknetConverter.ExpectedFileSize(layout, 20, null);
        output.WriteLine($"{N(floats)} float32 values: a .weights file of {N(size)} bytes with darknet's 20-byte header " +
                         $"(version 0.2 and later; {N(size - 4)} with the 16-byte header of 0.1)");
        if (model != null && model.LayerLimit is { } limit)
            output.WriteLine($"{model.Name} converts the first {limit} of those layers as {model.LayerNames.Count} named arrays");
    }

    private static string Name(Dictionary<StoredBlock, string> names, StoredBlock block) => names.TryGetValue(block, out var name) ? name : "-";

    private static string Shape(int w, int h, int c) => $"{w}x{h}x{c}";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
