using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Config
{
    /// <summary>
    /// A layout described in code -> darknet cfg text: [net] and one section per layer with the options darknet's forward
    /// pass reads (no training options). The built-in models' cfgs come from here, so the ONNX exporter and the layout
    /// reader take a built-in network the same way as a user's cfg. Route and shortcut sources are written absolute.
    /// </summary>
    internal static class CfgWriter
    {
        public static string Write(NetworkLayout layout)
        {
            if (layout == null) throw new ArgumentNullException(nameof(layout));
            var text = new StringBuilder();
            Section(text, "net", ("width", Int(layout.Width)), ("height", Int(layout.Height)), ("channels", Int(layout.Channels)));
            foreach (var layer in layout.Layers) Section(text, layer.SectionName, Options(layer).ToArray());
            return text.ToString();
        }

        private static IEnumerable<(string Key, string Value)> Options(LayerInfo l)
        {
            switch (l.Type)
            {
                case LayerType.Convolutional:
                    if (l.BatchNormalize) yield return ("batch_normalize", "1");
                    yield return ("filters", Int(l.Filters));
                    yield return ("size", Int(l.Size));
                    yield return ("stride", Int(l.Stride));
                    yield return ("padding", Int(l.Padding));
                    if (l.Groups != 1) yield return ("groups", Int(l.Groups));
                    if (l.Dilation != 1) yield return ("dilation", Int(l.Dilation));
                    if (l.SharesWeightsOf != null) yield return ("share_index", Int(l.SharesWeightsOf.Value));
                    yield return ("activation", l.Activation!);
                    break;
                case LayerType.Deconvolutional:
                    if (l.BatchNormalize) yield return ("batch_normalize", "1");
                    yield return ("filters", Int(l.Filters));
                    yield return ("size", Int(l.Size));
                    yield return ("stride", Int(l.Stride));
                    yield return ("padding", Int(l.Padding));
                    yield return ("activation", l.Activation!);
                    break;
                case LayerType.Connected:
                    if (l.BatchNormalize) yield return ("batch_normalize", "1");
                    yield return ("output", Int(l.Filters));
                    yield return ("activation", l.Activation!);
                    break;
                case LayerType.MaxPool:
                    yield return ("size", Int(l.Size));
                    yield return ("stride", Int(l.Stride));
                    yield return ("padding", Int(l.Padding));
                    if (l.MaxPoolDepth)
                    {
                        yield return ("maxpool_depth", "1");
                        yield return ("out_channels", Int(l.OutputChannels));
                    }
                    break;
                case LayerType.Route:
                    yield return ("layers", Ints(l.Sources));
                    if (l.Groups != 1)
                    {
                        yield return ("groups", Int(l.Groups));
                        yield return ("group_id", Int(l.GroupId));
                    }
                    break;
                case LayerType.Shortcut:
                    yield return ("from", Ints(l.Sources));
                    if (l.ShortcutWeights != ShortcutWeights.None)
                    {
                        yield return ("weights_type", l.ShortcutWeights == ShortcutWeights.PerChannel ? "per_channel" : "per_feature");
                        yield return ("weights_normalization", l.WeightsNormalization!);
                    }
                    yield return ("activation", l.Activation!);
                    break;
                case LayerType.Sam:
                    yield return ("from", Ints(l.Sources));
                    yield return ("activation", l.Activation!);
                    break;
                case LayerType.ScaleChannels:
                    yield return ("from", Ints(l.Sources));
                    if (l.ScaleWh) yield return ("scale_wh", "1");
                    yield return ("activation", l.Activation!);
                    break;
                case LayerType.Upsample:
                case LayerType.Reorg:
                    yield return ("stride", Int(l.Stride));
                    if (l.Type == LayerType.Reorg && l.OutputChannels < l.InputChannels) yield return ("reverse", "1");
                    break;
                case LayerType.Yolo:
                {
                    var head = HeadOf(l);
                    yield return ("mask", Ints(head.Mask!));
                    yield return ("anchors", Floats(head.Anchors));
                    yield return ("classes", Int(head.Classes));
                    yield return ("num", Int(head.Num));
                    if (head.ScaleXY != 1f) yield return ("scale_x_y", Float(head.ScaleXY));
                    break;
                }
                case LayerType.Region:
                {
                    var head = HeadOf(l);
                    yield return ("anchors", Floats(head.Anchors));
                    yield return ("classes", Int(head.Classes));
                    yield return ("coords", Int(head.Coords));
                    yield return ("num", Int(head.Num));
                    yield return ("softmax", head.Softmax ? "1" : "0");
                    break;
                }
                case LayerType.BatchNorm:
                case LayerType.AvgPool:
                case LayerType.Softmax:
                case LayerType.Cost:
                case LayerType.Dropout:
                    break;
                default:
                    throw new InvalidOperationException($"layer {l.Index} ({l}): no cfg is written for [{l.SectionName}]");
            }
        }

        private static DetectionHead HeadOf(LayerInfo l) =>
            l.Head ?? throw new InvalidOperationException($"layer {l.Index} ({l}) has no detection head (classes, anchors) to write");

        private static void Section(StringBuilder text, string name, params (string Key, string Value)[] options)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append('[').Append(name).Append("]\n");
            foreach (var (key, value) in options) text.Append(key).Append('=').Append(value).Append('\n');
        }

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Ints(IEnumerable<int> values) => string.Join(",", values.Select(Int));

        private static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static string Floats(IEnumerable<float> values) => string.Join(",", values.Select(Float));
    }
}
