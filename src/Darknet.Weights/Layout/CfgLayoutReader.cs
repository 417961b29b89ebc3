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
                    RefuseUnless(s, "dilation", 1);
                    RefuseUnless(s, "antialiasing", 0);
                    RefuseIfPresent(s, "share_index");
                    var stride = s.GetInt("stride", 1);
                    RefuseUnless(s, "stride_x", stride);
                    RefuseUnless(s, "stride_y", stride);
                    var size = s.GetInt("size", 1);
                    builder.Convolutional(s.GetInt("filters", 1), size, stride, Padding(s, size), s.GetInt("groups", 1),
                        s.GetInt("batch_normalize", 0) != 0);
                    break;
                }
                case LayerType.Deconvolutional:
                {
                    RefuseWeightSkipping(s);
                    var size = s.GetInt("size", 1);
                    builder.Deconvolutional(s.GetInt("filters", 1), size, s.GetInt("stride", 1), Padding(s, size),
                        s.GetInt("batch_normalize", 0) != 0);
                    break;
                }
                case LayerType.Connected:
                    RefuseWeightSkipping(s);
                    builder.Connected(s.GetInt("output", 1), s.GetInt("batch_normalize", 0) != 0);
                    break;
                case LayerType.BatchNorm:
                    RefuseWeightSkipping(s);
                    builder.BatchNorm();
                    break;
                case LayerType.Route:
                    builder.Route(s.GetIntList("layers") ?? new int[0], s.GetInt("groups", 1));
                    break;
                case LayerType.Shortcut:
                {
                    var weightsType = s.GetString("weights_type");
                    if (weightsType != null && !string.Equals(weightsType, "none", StringComparison.OrdinalIgnoreCase))
                        throw Unsupported(s, s.Find("weights_type")!, "weighted shortcuts (AlexeyAB's weights_type) are not supported");
                    builder.Shortcut(s.GetIntList("from") ?? new int[0]);
                    break;
                }
                case LayerType.Upsample:
                    builder.Upsample(s.GetInt("stride", 2));
                    break;
                case LayerType.MaxPool:
                {
                    var stride = s.GetInt("stride", 1);
                    var size = s.GetInt("size", stride);
                    builder.MaxPool(size, stride, s.GetInt("padding", size - 1));
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
