using System;
using System.Collections.Generic;
using System.Linq;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;

namespace Darknet.Weights.Naming;

/// <summary>
/// The dictionary key of every weighted layer (the README's "Layer names" has the table):
/// YOLOv3's structure gets the names its model code expects; the Darknet-53 classifier ends in <c>conv_fc_1</c>;
/// every other network is numbered per layer type: conv_1, conv_2, … fc_1, … bn_1, … deconv_1, … shortcut_1, … (AlexeyAB's
/// weighted shortcuts), crnn_1/input, crnn_1/self, crnn_1/output (a [crnn]'s three convolutions, by role). A layer
/// that stores no floats (a convolution sharing another's weights, dontload=1) gets no name.
/// </summary>
internal static class LayerNaming
{
    private static readonly Lazy<NetworkLayout> YoloV3Reference = new Lazy<NetworkLayout>(() => YoloV3.Full());
    private static readonly Lazy<NetworkLayout> Darknet53ClassifierReference = new Lazy<NetworkLayout>(() => Darknet53.Classifier());

    /// <summary>One unique name per block of floats of <paramref name="layout"/>, in file order.</summary>
    public static IReadOnlyList<string> NamesFor(NetworkLayout layout)
    {
        if (layout == null) throw new ArgumentNullException(nameof(layout));
        if (Topology.Matches(layout, YoloV3Reference.Value)) return YoloV3Names();
        if (Topology.Matches(layout, Darknet53ClassifierReference.Value)) return Darknet53ClassifierNames();
        return ByLayerType(layout);
    }

    /// <summary>conv_1 … conv_52 (Darknet-53), then conv_1_1 … conv_1_7, conv_2_0 … conv_2_7, conv_3_0 … conv_3_7.</summary>
    public static IReadOnlyList<string> YoloV3Names()
    {
        var names = Numbered("conv_", 1, 52).ToList();
        names.AddRange(Numbered("conv_1_", 1, 7));
        names.AddRange(Numbered("conv_2_", 0, 8));
        names.AddRange(Numbered("conv_3_", 0, 8));
        return names;
    }

    /// <summary>conv_1 … conv_52, conv_fc_1.</summary>
    public static IReadOnlyList<string> Darknet53ClassifierNames() => Numbered("conv_", 1, 52).Concat(new[] { "conv_fc_1" }).ToList();

    /// <summary>conv_1 … conv_52: Darknet-53's convs without the classifier (yolov3_feat, darknet53.conv.74).</summary>
    public static IReadOnlyList<string> Darknet53FeatureNames() => Numbered("conv_", 1, 52).ToList();

    /// <summary>The rule for any other network: each weighted layer type counts on its own, from 1, in file order.</summary>
    public static IReadOnlyList<string> ByLayerType(NetworkLayout layout)
    {
        var counts = new Dictionary<LayerType, int>();
        var names = new List<string>(layout.Blocks.Count);
        foreach (var layer in layout.WeightedLayers)
        {
            counts.TryGetValue(layer.Type, out var n);
            counts[layer.Type] = ++n;
            foreach (var block in layer.Stored)
                names.Add(Prefix(layer.Type) + n + (block.Role == null ? "" : "/" + block.Role));
        }
        return names;
    }

    private static string Prefix(LayerType type)
    {
        switch (type)
        {
            case LayerType.Convolutional: return "conv_";
            case LayerType.Deconvolutional: return "deconv_";
            case LayerType.Connected: return "fc_";
            case LayerType.BatchNorm: return "bn_";
            case LayerType.Shortcut: return "shortcut_";
            case LayerType.Crnn: return "crnn_";
            default: throw new ArgumentException($"{type} layers carry no weights", nameof(type));
        }
    }

    private static IEnumerable<string> Numbered(string prefix, int first, int count) =>
        Enumerable.Range(first, count).Select(i => prefix + i);
}
