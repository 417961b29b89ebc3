using System;
using System.Collections.Generic;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Config;

/// <summary>The section names darknet accepts (string_to_layer_type), with their short aliases.</summary>
internal static class SectionNames
{
    private static readonly Dictionary<string, LayerType> LayerTypes = new Dictionary<string, LayerType>(StringComparer.OrdinalIgnoreCase)
    {
        ["conv"] = LayerType.Convolutional,
        ["convolutional"] = LayerType.Convolutional,
        ["deconv"] = LayerType.Deconvolutional,
        ["deconvolutional"] = LayerType.Deconvolutional,
        ["conn"] = LayerType.Connected,
        ["connected"] = LayerType.Connected,
        ["batchnorm"] = LayerType.BatchNorm,
        ["route"] = LayerType.Route,
        ["shortcut"] = LayerType.Shortcut,
        ["upsample"] = LayerType.Upsample,
        ["max"] = LayerType.MaxPool,
        ["maxpool"] = LayerType.MaxPool,
        ["avg"] = LayerType.AvgPool,
        ["avgpool"] = LayerType.AvgPool,
        ["reorg"] = LayerType.Reorg,
        ["yolo"] = LayerType.Yolo,
        ["region"] = LayerType.Region,
        ["detection"] = LayerType.Detection,
        ["soft"] = LayerType.Softmax,
        ["softmax"] = LayerType.Softmax,
        ["cost"] = LayerType.Cost,
        ["dropout"] = LayerType.Dropout,
        ["sam"] = LayerType.Sam,
        ["scale_channels"] = LayerType.ScaleChannels,
        ["reorg3d"] = LayerType.Reorg3d,
        ["local_avg"] = LayerType.LocalAvgPool,
        ["local_avgpool"] = LayerType.LocalAvgPool,
        ["crop"] = LayerType.Crop,
        ["gaussian_yolo"] = LayerType.GaussianYolo,
        ["contrastive"] = LayerType.Contrastive,
        ["crnn"] = LayerType.Crnn,
    };

    // Sections darknet (pjreddie or AlexeyAB) knows but this project does not convert: refused by name
    // rather than guessed at, because a wrong guess would shift every later layer's weights.
    private static readonly HashSet<string> Unsupported = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "local", "rnn", "gru", "lstm", "conv_lstm", "history", "iseg", "activation", "logistic", "l2norm",
        "lrn", "normalization", "empty", "silence", "implicit", "implicit_add", "implicit_mul",
    };

    public static bool IsNetwork(string name) =>
        string.Equals(name, "net", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "network", StringComparison.OrdinalIgnoreCase);

    public static bool TryGetLayerType(string name, out LayerType type) => LayerTypes.TryGetValue(name, out type);

    public static bool IsKnownButUnsupported(string name) => Unsupported.Contains(name);

    /// <summary>The section's full name as darknet's cfgs write it, e.g. "convolutional", "scale_channels".</summary>
    public static string CanonicalName(LayerType type) => type switch
    {
        LayerType.MaxPool => "maxpool",
        LayerType.AvgPool => "avgpool",
        LayerType.ScaleChannels => "scale_channels",
        LayerType.LocalAvgPool => "local_avgpool",
        LayerType.GaussianYolo => "Gaussian_yolo",
        _ => type.ToString().ToLowerInvariant(),
    };
}
