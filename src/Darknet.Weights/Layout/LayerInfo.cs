using System;
using System.Collections.Generic;

namespace Darknet.Weights.Layout
{
    /// <summary>
    /// One layer of a network with its input and output shape (channels, height, width), the cfg options that shape its
    /// computation, and how many float32 values it reads from a .weights file. Fields that do not apply to a layer type
    /// are 0, false or null (Groups and Dilation are 1, Sources is empty).
    /// </summary>
    internal sealed class LayerInfo
    {
        private static readonly int[] NoSources = new int[0];

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

        /// <summary>Convolutional/deconvolutional filters, or connected outputs.</summary>
        public int Filters { get; internal set; }

        /// <summary>Kernel size (convolutional, deconvolutional, maxpool).</summary>
        public int Size { get; internal set; }

        /// <summary>Stride as written (convolutional, deconvolutional, maxpool, upsample: negative means downsample, reorg).</summary>
        public int Stride { get; internal set; }

        /// <summary>Padding actually applied: size/2 when the cfg says pad=1, else padding= (maxpool: defaults to size-1).</summary>
        public int Padding { get; internal set; }

        /// <summary>Convolutional: channel groups. Route: AlexeyAB's groups= (the route keeps group <see cref="GroupId"/> of this many).</summary>
        public int Groups { get; internal set; } = 1;

        /// <summary>Route: which of the <see cref="Groups"/> channel slices of the concatenated inputs it keeps (0-based).</summary>
        public int GroupId { get; internal set; }

        /// <summary>Convolutional: AlexeyAB's dilation= (1 for a 1×1 kernel); it does not change the output size there.</summary>
        public int Dilation { get; internal set; } = 1;

        /// <summary>
        /// The activation as the cfg names it, in lower case (convolutional, deconvolutional, connected: default "logistic";
        /// shortcut, sam, scale_channels: default "linear"); null for layers without one. Not validated: darknet reads any
        /// unknown name as relu with a warning, and the activation changes no stored float.
        /// </summary>
        public string? Activation { get; internal set; }

        public bool BatchNormalize { get; internal set; }

        /// <summary>Connected: h·w·c of its input.</summary>
        public int Inputs { get; internal set; }

        /// <summary>
        /// Route, shortcut, sam and scale_channels: the absolute indices of the layers they read (shortcut, sam and
        /// scale_channels also read the previous layer).
        /// </summary>
        public IReadOnlyList<int> Sources { get; internal set; } = NoSources;

        /// <summary>
        /// Convolutional with AlexeyAB's share_index=: the absolute index of the convolution whose weights, biases and
        /// batch-norm values it uses. Such a layer stores no floats of its own (darknet's loader skips it).
        /// </summary>
        public int? SharesWeightsOf { get; internal set; }

        /// <summary>Shortcut: AlexeyAB's weights_type= (None unless the cfg sets per_feature/per_layer or per_channel).</summary>
        public ShortcutWeights ShortcutWeights { get; internal set; }

        /// <summary>Weighted shortcut: weights_normalization= as darknet reads it: "none", "relu" (also avg_relu) or "softmax".</summary>
        public string? WeightsNormalization { get; internal set; }

        /// <summary>Maxpool with AlexeyAB's maxpool_depth=1: a max across channels down to <see cref="OutputChannels"/> (out_channels=), size kept.</summary>
        public bool MaxPoolDepth { get; internal set; }

        /// <summary>Scale_channels with scale_wh=1: scales each position (the previous layer has 1 channel) rather than each channel.</summary>
        public bool ScaleWh { get; internal set; }

        /// <summary>[yolo]/[region] of a built-in model: classes, anchors, mask and the like; null when read from a cfg.</summary>
        public DetectionHead? Head { get; internal set; }

        /// <summary>Whether this layer reads floats from a .weights file (a convolution sharing another's weights does not).</summary>
        public bool HasWeights => FloatCount > 0;

        /// <summary>How many float32 values this layer reads from a .weights file (0 for a layer without weights).</summary>
        public long FloatCount { get; internal set; }

        /// <summary>The cfg section name of this type, e.g. "convolutional".</summary>
        public string SectionName => Config.SectionNames.CanonicalName(Type);

        public override string ToString()
        {
            var text = $"{Index} {SectionName} {InputWidth}x{InputHeight}x{InputChannels} -> {OutputWidth}x{OutputHeight}x{OutputChannels}";
            if (Filters != 0) text += $" filters={Filters}";
            if (Size != 0) text += $" size={Size}";
            if (Stride != 0) text += $" stride={Stride}";
            if (Groups != 1) text += $" groups={Groups}" + (Type == LayerType.Route ? $" group_id={GroupId}" : "");
            if (Dilation != 1) text += $" dilation={Dilation}";
            if (Activation != null) text += " " + Activation;
            if (SharesWeightsOf != null) text += $" shares {SharesWeightsOf}";
            if (ShortcutWeights != ShortcutWeights.None) text += $" weights={ShortcutWeights} {WeightsNormalization}";
            if (MaxPoolDepth) text += " depth";
            if (ScaleWh) text += " scale_wh";
            if (BatchNormalize) text += " bn";
            if (Sources.Count > 0) text += " from " + string.Join(",", Sources);
            if (HasWeights) text += $" floats={FloatCount}";
            return text;
        }
    }
}
