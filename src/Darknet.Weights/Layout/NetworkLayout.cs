using System;
using System.Collections.Generic;
using System.Linq;
using Darknet.Weights.Config;

namespace Darknet.Weights.Layout;

/// <summary>
/// The one description of a network: its layers with their options (darknet's defaults applied), shapes and the
/// blocks of floats they store, in file order. Built from a .cfg (<see cref="FromCfg(string, string)"/>) or in code
/// (<see cref="LayoutBuilder"/>, the built-in models); the converter, the ONNX exporter, layer naming, inspect and the
/// build's size checks all read it. Nothing here allocates according to numbers from a cfg.
/// </summary>
internal sealed class NetworkLayout
{
    internal NetworkLayout(IReadOnlyList<LayerInfo> layers, int width, int height, int channels, string sourceName)
    {
        Layers = layers;
        Width = width;
        Height = height;
        Channels = channels;
        SourceName = sourceName;
        WeightedLayers = layers.Where(l => l.HasWeights).ToArray();
        Blocks = WeightedLayers.SelectMany(l => l.Stored).ToArray();
    }

    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>The layers that read floats from a .weights file, in file order.</summary>
    public IReadOnlyList<LayerInfo> WeightedLayers { get; }

    /// <summary>Every block of floats the .weights file holds, in file order (a [crnn] layer stores three).</summary>
    public IReadOnlyList<StoredBlock> Blocks { get; }

    /// <summary>[net] channels (default 3), height and width.</summary>
    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>The cfg file name, or a description for a layout built in code; used in error messages.</summary>
    public string SourceName { get; }

    /// <summary>
    /// Floats a .weights file must hold (after its header) for the first <paramref name="weightedLayerLimit"/>
    /// weighted layers, or for all of them when null.
    /// </summary>
    public long FloatCount(int? weightedLayerLimit = null)
    {
        var count = CheckLimit(weightedLayerLimit);
        long total = 0;
        for (var i = 0; i < count; i++) total += WeightedLayers[i].FloatCount;
        return total;
    }

    public static NetworkLayout FromCfg(string text, string sourceName) =>
        CfgLayoutReader.Read(CfgReader.Parse(text, sourceName), sourceName);

    /// <summary>
    /// The same network at another input size (darknet's -width/-height): every shape follows. A network whose stored
    /// floats would change with it ([connected] reads every input value) runs at its own size only: DKN1004.
    /// </summary>
    public NetworkLayout AtSize(int width, int height)
    {
        if (width == Width && height == Height) return this;
        var resized = LayoutResize.AtSize(this, width, height);
        var changed = Layers.Zip(resized.Layers, (a, b) => (a, b)).FirstOrDefault(p => p.a.FloatCount != p.b.FloatCount).a;
        if (changed != null)
            throw new DarknetException(ErrorCodes.BadSize,
                $"{CfgReader.Where(SourceName, changed.Line)}: at {width}x{height} layer {changed.Index} ([{changed.SectionName}]) would read " +
                $"{resized.Layers[changed.Index].FloatCount:N0} floats instead of the {changed.FloatCount:N0} its weights hold: this network runs at its own {Width}x{Height} only");
        return resized;
    }

    /// <summary>As <see cref="FromCfg(string, string)"/> with other defaults (a test plants one).</summary>
    internal static NetworkLayout FromCfg(string text, string sourceName, DarknetDefaults defaults) =>
        CfgLayoutReader.Read(CfgReader.Parse(text, sourceName), sourceName, defaults);

    public static NetworkLayout FromCfgFile(string path) =>
        CfgLayoutReader.Read(CfgReader.ReadFile(path), System.IO.Path.GetFileName(path));

    private int CheckLimit(int? limit)
    {
        if (limit == null) return WeightedLayers.Count;
        if (limit < 1 || limit > WeightedLayers.Count)
            throw new DarknetException(ErrorCodes.BadLayerLimit,
                $"layer limit {limit} is outside 1..{WeightedLayers.Count}: {SourceName} has {WeightedLayers.Count} layers with weights");
        return limit.Value;
    }
}
