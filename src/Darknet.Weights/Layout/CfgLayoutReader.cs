using System;
using System.Collections.Generic;
using Darknet.Weights.Config;

namespace Darknet.Weights.Layout
{
    /// <summary>
    /// Turns cfg sections into a <see cref="NetworkLayout"/>: reads each section's keys with darknet's defaults and hands
    /// them to a <see cref="LayoutBuilder"/>, which computes the shapes.
    /// </summary>
    internal static class CfgLayoutReader
    {
        public static NetworkLayout Read(IReadOnlyList<CfgSection> sections, string sourceName)
        {
            if (sections.Count == 0)
                throw new DarknetException(ErrorCodes.MalformedCfg, $"{sourceName}: no sections; a cfg starts with [net]");
            var net = sections[0];
            if (!SectionNames.IsNetwork(net.Name))
                throw new DarknetException(ErrorCodes.MalformedCfg,
                    $"{net.Where(net.Line)}: the first section must be [net] or [network], found [{CfgReader.Quote(net.Name)}]");

            var builder = new LayoutBuilder(net.GetInt("width", 0), net.GetInt("height", 0), net.GetInt("channels", 3), sourceName, net.Line);
            for (var i = 1; i < sections.Count; i++)
            {
                var section = sections[i];
                builder.Line = section.Line;
                AddLayer(builder, section, TypeOf(section));
            }
            builder.Line = sections[sections.Count - 1].Line;
            return builder.Build();
        }

        private static LayerType TypeOf(CfgSection section)
        {
            if (SectionNames.TryGetLayerType(section.Name, out var type)) return type;
            if (SectionNames.IsNetwork(section.Name))
                throw new DarknetException(ErrorCodes.MalformedCfg,
                    $"{section.Where(section.Line)}: [{section.Name}] may only be the first section");
            if (SectionNames.IsKnownButUnsupported(section.Name))
                throw new DarknetException(ErrorCodes.UnsupportedLayer,
                    $"{section.Where(section.Line)}: [{section.Name}] layers are not supported by this converter");
            throw new DarknetException(ErrorCodes.UnknownSection,
                $"{section.Where(section.Line)}: unknown section [{CfgReader.Quote(section.Name)}]");
        }

        private static void AddLayer(LayoutBuilder builder, CfgSection s, LayerType type)
        {
            switch (type)
            {
                case LayerType.Convolutional:
                {
                    RefuseWeightSkipping(s);
                    RefuseUnless(s, "antialiasing", 0);
                    // darknet transposes flipped= weights after reading them: their file order is not the one written here.
                    RefuseUnless(s, "flipped", 0);
                    var size = s.GetInt("size", 1);
                    var stride = ConvolutionStride(s);
                    // AlexeyAB: xnor=1 disables groups; cbn=1 is batch norm (with cross-iteration statistics) all the same.
                    var groups = s.GetInt("xnor", 0) != 0 ? 1 : s.GetInt("groups", 1);
                    var batchNormalize = s.GetInt("batch_normalize", 0) != 0 || s.GetInt("cbn", 0) != 0;
                    int? share = s.Has("share_index") ? s.GetInt("share_index", 0) : (int?)null;
                    builder.Convolutional(s.GetInt("filters", 1), size, stride, Padding(s, size), groups, batchNormalize,
                        Activation(s, "logistic"), s.GetInt("dilation", 1), share);
                    break;
                }
                case LayerType.Deconvolutional:
                {
                    RefuseWeightSkipping(s);
                    var size = s.GetInt("size", 1);
                    builder.Deconvolutional(s.GetInt("filters", 1), size, s.GetInt("stride", 1), Padding(s, size),
                        s.GetInt("batch_normalize", 0) != 0, Activation(s, "logistic"));
                    break;
                }
                case LayerType.Connected:
                    RefuseWeightSkipping(s);
                    builder.Connected(s.GetInt("output", 1), s.GetInt("batch_normalize", 0) != 0, Activation(s, "logistic"));
                    break;
                case LayerType.BatchNorm:
                    RefuseWeightSkipping(s);
                    builder.BatchNorm();
                    break;
                case LayerType.Route:
                    builder.Route(s.GetIntList("layers") ?? new int[0], s.GetInt("groups", 1), s.GetInt("group_id", 0));
                    break;
                case LayerType.Shortcut:
                {
                    var weights = ShortcutWeightsOf(s);
                    builder.Shortcut(s.GetIntList("from") ?? new int[0], Activation(s, "linear"), weights,
                        weights == ShortcutWeights.None ? "none" : WeightsNormalization(s));
                    break;
                }
                case LayerType.Sam:
                    builder.Sam(SingleSource(s), Activation(s, "linear"));
                    break;
                case LayerType.ScaleChannels:
                    builder.ScaleChannels(SingleSource(s), s.GetInt("scale_wh", 0) != 0, Activation(s, "linear"));
                    break;
                case LayerType.Upsample:
                    builder.Upsample(s.GetInt("stride", 2));
                    break;
                case LayerType.MaxPool:
                {
                    var stride = s.GetInt("stride", 1);
                    RefuseUnless(s, "stride_x", stride);
                    RefuseUnless(s, "stride_y", stride);
                    RefuseUnless(s, "antialiasing", 0);
                    var size = s.GetInt("size", stride);
                    var padding = s.GetInt("padding", size - 1);
                    if (s.GetInt("maxpool_depth", 0) != 0) builder.MaxPoolDepth(s.GetInt("out_channels", 1), size, stride, padding);
                    else builder.MaxPool(size, stride, padding);
                    break;
                }
                case LayerType.AvgPool:
                    builder.AvgPool();
                    break;
                case LayerType.Reorg:
                    RefuseUnless(s, "extra", 0);
                    builder.Reorg(s.GetInt("stride", 1), s.GetInt("reverse", 0) != 0);
                    break;
                case LayerType.Yolo:
                    builder.Yolo();
                    break;
                case LayerType.Region:
                    builder.Region();
                    break;
                case LayerType.Detection:
                    builder.Detection();
                    break;
                case LayerType.Softmax:
                    builder.Softmax();
                    break;
                case LayerType.Cost:
                    builder.Cost();
                    break;
                case LayerType.Dropout:
                    builder.Dropout();
                    break;
                default:
                    throw new InvalidOperationException("unhandled layer type " + type);
            }
        }

        // AlexeyAB: stride_x and stride_y default to stride=, which is ignored once both are set. One stride is followed
        // through the layout, so different strides across and down are refused.
        private static int ConvolutionStride(CfgSection s)
        {
            var stride = s.GetInt("stride", 1);
            var x = s.GetInt("stride_x", -1);
            var y = s.GetInt("stride_y", -1);
            var strideX = x >= 1 ? x : stride;
            var strideY = y >= 1 ? y : stride;
            if (strideX != strideY)
                throw Unsupported(s, s.Find(x >= 1 ? "stride_x" : "stride_y")!,
                    $"stride_x={strideX} with stride_y={strideY} is not supported (only equal strides)");
            return strideX;
        }

        private static string Activation(CfgSection s, string defaultName)
        {
            var option = s.Find("activation");
            if (option == null) return defaultName;
            if (option.Value.Length == 0)
                throw new DarknetException(ErrorCodes.MalformedCfg, $"{s.Where(option.Line)}: [{s.Name}] activation= needs a name (e.g. leaky, mish, linear)");
            return option.Value;
        }

        // darknet's parse_shortcut: per_feature (alias per_layer), per_channel or none, compared case-sensitively.
        private static ShortcutWeights ShortcutWeightsOf(CfgSection s)
        {
            var option = s.Find("weights_type");
            if (option == null) return ShortcutWeights.None;
            switch (option.Value)
            {
                case "none": return ShortcutWeights.None;
                case "per_feature":
                case "per_layer": return ShortcutWeights.PerFeature;
                case "per_channel": return ShortcutWeights.PerChannel;
                default: throw Unsupported(s, option, $"weights_type={CfgReader.Quote(option.Value)} is not one of none, per_feature, per_layer, per_channel");
            }
        }

        private static string WeightsNormalization(CfgSection s)
        {
            var option = s.Find("weights_normalization");
            if (option == null) return "none";
            switch (option.Value)
            {
                case "none": return "none";
                case "relu":
                case "avg_relu": return "relu";
                case "softmax": return "softmax";
                default: throw Unsupported(s, option, $"weights_normalization={CfgReader.Quote(option.Value)} is not one of none, relu, avg_relu, softmax");
            }
        }

        // [sam] and [scale_channels] read one from= layer (darknet takes the first number of the list; more is refused).
        private static int SingleSource(CfgSection s)
        {
            var from = s.GetIntList("from");
            if (from == null || from.Length != 1)
                throw new DarknetException(ErrorCodes.BadRoute,
                    $"{s.Where(s.Find("from")?.Line ?? s.Line)}: [{s.Name}] needs from= with exactly one layer");
            return from[0];
        }

        // darknet: pad=1 means padding = size/2 and overrides padding=.
        private static int Padding(CfgSection s, int size) => s.GetInt("pad", 0) != 0 ? size / 2 : s.GetInt("padding", 0);

        // dontload / dontloadscales make darknet skip a layer's floats (or its batch-norm floats) in the file:
        // honouring them silently would need a different file layout, so they are refused.
        private static void RefuseWeightSkipping(CfgSection s)
        {
            RefuseUnless(s, "dontload", 0);
            RefuseUnless(s, "dontloadscales", 0);
            RefuseIfPresent(s, "numload");
        }

        private static void RefuseUnless(CfgSection s, string key, int expected)
        {
            var option = s.Find(key);
            if (option != null && s.GetInt(key, expected) != expected)
                throw Unsupported(s, option, $"{key}={CfgReader.Quote(option.Value)} is not supported (only {expected})");
        }

        private static void RefuseIfPresent(CfgSection s, string key)
        {
            var option = s.Find(key);
            if (option != null) throw Unsupported(s, option, $"{key}= is not supported");
        }

        private static DarknetException Unsupported(CfgSection s, CfgOption option, string what) =>
            new DarknetException(ErrorCodes.UnsupportedLayer, $"{s.Where(option.Line)}: [{s.Name}] {what}");
    }
}
