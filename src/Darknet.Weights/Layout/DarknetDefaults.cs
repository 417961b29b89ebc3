using System;
using System.Collections.Generic;
using System.Linq;

namespace Darknet.Weights.Layout;

/// <summary>
/// darknet's default for every option the cfg reader takes (parser.c's option_find_* calls), by section and key: the one
/// place a default lives. Options whose default follows another value (maxpool size = stride, padding = size − 1,
/// yolo mask = every anchor) are worked out by the reader from the values it read. A key missing here is a bug the
/// reader names, so every option read has its default written down.
/// </summary>
internal sealed class DarknetDefaults
{
    /// <summary>No default: the option is required (route layers=), or its absence means something of its own (share_index=).</summary>
    public const string None = "";

    private readonly Dictionary<string, Dictionary<string, string>> _sections;

    private DarknetDefaults(Dictionary<string, Dictionary<string, string>> sections) => _sections = sections;

    public static DarknetDefaults Standard { get; } = new DarknetDefaults(new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase)
    {
        ["net"] = Keys("width=0", "height=0", "channels=3"),
        ["convolutional"] = Keys("filters=1", "size=1", "stride=1", "stride_x=-1", "stride_y=-1", "groups=1", "pad=0", "padding=0",
            "dilation=1", "activation=logistic", "batch_normalize=0", "cbn=0", "binary=0", "xnor=0", "flipped=0", "antialiasing=0",
            "share_index=", "dontload=0", "dontloadscales=0", "numload="),
        ["deconvolutional"] = Keys("filters=1", "size=1", "stride=1", "pad=0", "padding=0", "activation=logistic", "batch_normalize=0",
            "dontload=0", "dontloadscales=0", "numload="),
        ["connected"] = Keys("output=1", "activation=logistic", "batch_normalize=0", "dontload=0", "dontloadscales=0", "numload="),
        ["batchnorm"] = Keys("dontload=0", "dontloadscales=0", "numload="),
        ["crnn"] = Keys("size=3", "stride=1", "pad=0", "padding=0", "output=1", "hidden=1", "groups=1", "activation=logistic",
            "batch_normalize=0", "xnor=0", "dontload=0", "dontloadscales=0", "numload="),
        ["route"] = Keys("layers=", "groups=1", "group_id=0"),
        ["shortcut"] = Keys("from=", "activation=linear", "alpha=1", "beta=1", "weights_type=none", "weights_normalization=none", "dontload=0"),
        ["sam"] = Keys("from=", "activation=linear"),
        ["scale_channels"] = Keys("from=", "activation=linear", "scale_wh=0"),
        ["upsample"] = Keys("stride=2", "scale=1"),
        ["maxpool"] = Keys("stride=1", "stride_x=", "stride_y=", "size=", "padding=", "maxpool_depth=0", "out_channels=1", "antialiasing=0"),
        ["local_avgpool"] = Keys("stride=1", "stride_x=", "stride_y=", "size=", "padding="),
        ["reorg"] = Keys("stride=1", "reverse=0", "flatten=0", "extra=0"),
        ["reorg3d"] = Keys("stride=1", "reverse=0"),
        ["crop"] = Keys("crop_width=1", "crop_height=1", "noadjust=0"),
        ["yolo"] = Keys("classes=20", "num=1", "mask=", "anchors=", "scale_x_y=1", "new_coords=0"),
        ["Gaussian_yolo"] = Keys("classes=20", "num=1", "mask=", "anchors=", "scale_x_y=1", "yolo_point=center"),
        ["region"] = Keys("classes=20", "coords=4", "num=1", "softmax=0", "background=0", "tree=", "anchors="),
        ["detection"] = Keys("classes=1", "coords=1", "num=1", "side=7", "softmax=0"),
        ["softmax"] = Keys("groups=1", "temperature=1", "tree="),
        ["contrastive"] = Keys("yolo_layer=0"),
    });

    /// <summary>The default of <paramref name="key"/> in <paramref name="section"/> (canonical name), or <see cref="None"/>.</summary>
    public string Of(string section, string key)
    {
        if (_sections.TryGetValue(section, out var keys) && keys.TryGetValue(key, out var value)) return value;
        throw new InvalidOperationException($"[{section}] {key}= has no darknet default written down in {nameof(DarknetDefaults)}");
    }

    /// <summary>A copy with one default changed: how a test shows that everything reading a network takes its defaults from here.</summary>
    public DarknetDefaults With(string section, string key, string value)
    {
        var copy = _sections.ToDictionary(s => s.Key, s => new Dictionary<string, string>(s.Value, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        Of(section, key);
        copy[section][key] = value;
        return new DarknetDefaults(copy);
    }

    private static Dictionary<string, string> Keys(params string[] pairs) =>
        pairs.Select(p => p.Split(new[] { '=' }, 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
}
