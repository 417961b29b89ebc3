using System;
using System.Collections.Generic;
using System.Linq;

namespace Darknet.Weights.Layout;

/// <summary>
/// One layer of a network: its type, the cfg options that shape its computation with darknet's defaults applied, its
/// input and output shape (channels, height, width) and the blocks of floats it reads from a .weights file. Fields that
/// do not apply to a layer type are 0, false or null (Groups, Dilation, Scale, Alpha and Beta are 1, Sources is empty).
/// Everything that reads a network (the converter, the ONNX exporter, naming, inspect, the build's size checks) reads
/// it from here; nothing else derives a shape or a default.
/// </summary>
internal sealed class LayerInfo
{
    private static readonly int[] NoSources = new int[0];
    private static readonly StoredBlock[] NoBlocks = new StoredBlock[0];
    private static readonly Dictionary<string, int> NoLines = new Dictionary<string, int>();

    internal LayerInfo(int index, LayerType type, int line)
    {
        Index = index;
        Type = type;
        Line = line;
    }

    /// <summary>0-based position among the layers; [net] is not a layer (darknet numbers layers the same way).</summary>
    public int Index { get; }

    public LayerType Type { get; }

    /// <summary>cfg line of the section header; 0 for a layout built in code.</summary>
    public int Line { get; }

    public int InputChannels { get; internal set; }

    public int InputHeight { get; internal set; }

    public int InputWidth { get; internal set; }

    public int OutputChannels { get; internal set; }

    public int OutputHeight { get; internal set; }

    public int OutputWidth { get; internal set; }

    /// <summary>Convolutional/deconvolutional filters, connected outputs, [crnn] output=.</summary>
    public int Filters { get; internal set; }

    /// <summary>Kernel or window size (convolutional, deconvolutional, crnn, maxpool, local_avgpool).</summary>
    public int Size { get; internal set; }

    /// <summary>
    /// Stride as written (convolutional, deconvolutional, maxpool, local_avgpool, upsample: negative means downsample,
    /// reorg, reorg3d); across and down when <see cref="StrideY"/> differs.
    /// </summary>
    public int Stride { get; internal set; }

    /// <summary>AlexeyAB's stride_y= of a convolution or pool: <see cref="Stride"/> unless it says otherwise.</summary>
    public int StrideY { get; internal set; }

    /// <summary>Padding actually applied: size/2 when the cfg says pad=1, else padding= (pools: defaults to size-1).</summary>
    public int Padding { get; internal set; }

    /// <summary>
    /// Convolutional and crnn: channel groups. Route: AlexeyAB's groups= (the route keeps group <see cref="GroupId"/>
    /// of this many). Softmax: groups= (a softmax over each of this many runs).
    /// </summary>
    public int Groups { get; internal set; } = 1;

    /// <summary>Route: which of the <see cref="Groups"/> channel slices of the concatenated inputs it keeps (0-based).</summary>
    public int GroupId { get; internal set; }

    /// <summary>Convolutional: AlexeyAB's dilation= (1 for a 1×1 kernel); it does not change the output size there.</summary>
    public int Dilation { get; internal set; } = 1;

    /// <summary>
    /// The activation as the cfg names it (convolutional, deconvolutional, connected, crnn: default
    /// "logistic"; shortcut, sam, scale_channels: default "linear"); null for layers without one. Not validated here:
    /// darknet reads any unknown name as relu with a warning, and the activation changes no stored float.
    /// </summary>
    public string? Activation { get; internal set; }

    public bool BatchNormalize { get; internal set; }

    /// <summary>Connected: h·w·c of its input.</summary>
    public int Inputs { get; internal set; }

    /// <summary>
    /// Route, shortcut, sam and scale_channels: the absolute indices of the layers they read (shortcut, sam and
    /// scale_channels also read the previous layer). Contrastive: its yolo_layer=.
    /// </summary>
    public IReadOnlyList<int> Sources { get; internal set; } = NoSources;

    /// <summary>
    /// Convolutional with AlexeyAB's share_index=: the absolute index of the convolution whose weights, biases and
    /// batch-norm values it uses. Such a layer stores no floats of its own (darknet's loader skips it).
    /// </summary>
    public int? SharesWeightsOf { get; internal set; }

    /// <summary>Convolutional: xnor=1 (weights and input binarized at inference).</summary>
    public bool Xnor { get; internal set; }

    /// <summary>Convolutional: binary=1 (weights binarized at inference; AlexeyAB stores them as floats all the same).</summary>
    public bool Binary { get; internal set; }

    /// <summary>Convolutional: flipped=1, weights stored transposed (darknet transposes them after loading).</summary>
    public bool Flipped { get; internal set; }

    /// <summary>dontload=1: darknet skips the layer when loading, so the file holds none of its floats.</summary>
    public bool DontLoad { get; internal set; }

    /// <summary>Shortcut: AlexeyAB's weights_type= (None unless the cfg sets per_feature/per_layer or per_channel).</summary>
    public ShortcutWeights ShortcutWeights { get; internal set; }

    /// <summary>Weighted shortcut: weights_normalization= as darknet reads it: "none", "relu" (also avg_relu) or "softmax".</summary>
    public string? WeightsNormalization { get; internal set; }

    /// <summary>pjreddie's [shortcut] alpha= (the previous layer's scale) and beta= (the from= layer's); 1 by default.</summary>
    public float Alpha { get; internal set; } = 1f;

    /// <inheritdoc cref="Alpha"/>
    public float Beta { get; internal set; } = 1f;

    /// <summary>[upsample] scale= (the output is multiplied by it; 1 by default).</summary>
    public float Scale { get; internal set; } = 1f;

    /// <summary>[softmax] temperature= (1 by default).</summary>
    public float Temperature { get; internal set; } = 1f;

    /// <summary>[softmax] and [region] tree= (YOLO9000's word tree file), as written; null when absent.</summary>
    public string? Tree { get; internal set; }

    /// <summary>[reorg], [reorg3d]: reverse=1 (depth to space).</summary>
    public bool Reverse { get; internal set; }

    /// <summary>pjreddie's [reorg] flatten=1.</summary>
    public bool Flatten { get; internal set; }

    /// <summary>pjreddie's [reorg] extra= (extra outputs; 0 by default).</summary>
    public int Extra { get; internal set; }

    /// <summary>[crop] noadjust=1: the crop keeps the input's values rather than mapping [0, 1] to [−1, 1].</summary>
    public bool NoAdjust { get; internal set; }

    /// <summary>Maxpool with AlexeyAB's maxpool_depth=1: a max across channels down to <see cref="OutputChannels"/> (out_channels=), size kept.</summary>
    public bool MaxPoolDepth { get; internal set; }

    /// <summary>Maxpool with AlexeyAB's antialiasing=.</summary>
    public int Antialiasing { get; internal set; }

    /// <summary>Scale_channels with scale_wh=1: scales each position (the previous layer has 1 channel) rather than each channel.</summary>
    public bool ScaleWh { get; internal set; }

    /// <summary>[crnn] hidden= (the filters of its input and self convolutions).</summary>
    public int Hidden { get; internal set; }

    /// <summary>[yolo], [Gaussian_yolo] and [region]: classes, anchors, mask and the rest of what decoding needs.</summary>
    public DetectionHead? Head { get; internal set; }

    /// <summary>The floats this layer reads from a .weights file, in file order (none for most layer types).</summary>
    public IReadOnlyList<StoredBlock> Stored { get; private set; } = NoBlocks;

    /// <summary>Whether this layer reads floats from a .weights file (a convolution sharing another's weights does not).</summary>
    public bool HasWeights => Stored.Count > 0;

    /// <summary>How many float32 values this layer reads from a .weights file (0 for a layer without weights).</summary>
    public long FloatCount { get; private set; }

    /// <summary>The cfg section name of this type, e.g. "convolutional".</summary>
    public string SectionName => Config.SectionNames.CanonicalName(Type);

    /// <summary>The cfg line of each option the section set (by lower-case key); empty for a layout built in code.</summary>
    internal IReadOnlyDictionary<string, int> OptionLines { get; set; } = NoLines;

    /// <summary>The line of option <paramref name="key"/> when the cfg set it, else the section's line: where an error about it points.</summary>
    public int LineOf(string key) => OptionLines.TryGetValue(key, out var line) ? line : Line;

    /// <summary>dontload=1: darknet skips the layer when loading; its floats are not in the file.</summary>
    internal void SkipLoading()
    {
        DontLoad = true;
        Store();
    }

    internal void Store(params StoredBlock[] blocks)
    {
        foreach (var block in blocks) block.Layer = this;
        Stored = blocks;
        FloatCount = blocks.Sum(b => b.FloatCount);
    }

    public override string ToString()
    {
        var text = $"{Index} {SectionName} {InputWidth}x{InputHeight}x{InputChannels} -> {OutputWidth}x{OutputHeight}x{OutputChannels}";
        if (Filters != 0) text += $" filters={Filters}";
        if (Hidden != 0) text += $" hidden={Hidden}";
        if (Size != 0) text += $" size={Size}";
        if (Stride != 0) text += $" stride={Stride}" + (StrideY != Stride ? "," + StrideY : "");
        if (Groups != 1) text += $" groups={Groups}" + (Type == LayerType.Route ? $" group_id={GroupId}" : "");
        if (Dilation != 1) text += $" dilation={Dilation}";
        if (Activation != null) text += " " + Activation;
        if (SharesWeightsOf != null) text += $" shares {SharesWeightsOf}";
        if (Xnor) text += " xnor";
        if (ShortcutWeights != ShortcutWeights.None) text += $" weights={ShortcutWeights} {WeightsNormalization}";
        if (MaxPoolDepth) text += " depth";
        if (ScaleWh) text += " scale_wh";
        if (Reverse) text += " reverse";
        if (BatchNormalize) text += " bn";
        if (Sources.Count > 0) text += " from " + string.Join(",", Sources);
        if (HasWeights) text += $" floats={FloatCount}";
        return text;
    }
}
