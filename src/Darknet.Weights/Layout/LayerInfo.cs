using System;
using System.Collections.Generic;

namespace Darknet.Weights.Layout
{
    /// <summary>
    /// One layer of a network with its input and output shape (channels, height, width) and how many float32 values it
    /// reads from a .weights file. Fields that do not apply to a layer type are 0 (Groups is 1, Sources is empty).
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

        public int Groups { get; internal set; } = 1;

        public bool BatchNormalize { get; internal set; }

        /// <summary>Connected: h·w·c of its input.</summary>
        public int Inputs { get; internal set; }

        /// <summary>Route and shortcut: the absolute indices of the layers they read (besides the previous one for shortcut).</summary>
        public IReadOnlyList<int> Sources { get; internal set; } = NoSources;

        public bool HasWeights =>
            Type == LayerType.Convolutional || Type == LayerType.Deconvolutional || Type == LayerType.Connected || Type == LayerType.BatchNorm;

        /// <summary>How many float32 values this layer reads from a .weights file (0 for a layer without weights).</summary>
        public long FloatCount { get; internal set; }

        /// <summary>The cfg section name of this type, e.g. "convolutional".</summary>
        public string SectionName => Type.ToString().ToLowerInvariant();

        public override string ToString()
        {
            var text = $"{Index} {SectionName} {InputWidth}x{InputHeight}x{InputChannels} -> {OutputWidth}x{OutputHeight}x{OutputChannels}";
            if (Filters != 0) text += $" filters={Filters}";
            if (Size != 0) text += $" size={Size}";
            if (Stride != 0) text += $" stride={Stride}";
            if (Groups != 1) text += $" groups={Groups}";
            if (BatchNormalize) text += " bn";
            if (Sources.Count > 0) text += " from " + string.Join(",", Sources);
            if (HasWeights) text += $" floats={FloatCount}";
            return text;
        }
    }
}
