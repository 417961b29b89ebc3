using System;
using System.Collections.Generic;
using System.Linq;
using Darknet.Weights.Config;

namespace Darknet.Weights.Layout;

/// <summary>
/// Turns cfg sections into a <see cref="NetworkLayout"/>: reads each section's options with darknet's defaults
/// (<see cref="DarknetDefaults"/>) and hands them to a <see cref="LayoutBuilder"/>, which computes the shapes and the
/// floats stored. What darknet itself would refuse or read differently from what is written here is refused with
/// DKN1005 naming the option and its line.
/// </summary>
internal static class CfgLayoutReader
{
    public static NetworkLayout Read(IReadOnlyList<CfgSection> sections, string sourceName) => Read(sections, sourceName, DarknetDefaults.Standard);

    public static NetworkLayout Read(IReadOnlyList<CfgSection> sections, string sourceName, DarknetDefaults defaults)
    {
        if (sections.Count == 0)
            throw new DarknetException(ErrorCodes.MalformedCfg, $"{sourceName}: no sections; a cfg starts with [net]");
        var net = sections[0];
        if (!SectionNames.IsNetwork(net.Name))
            throw new DarknetException(ErrorCodes.MalformedCfg,
                $"{net.Where(net.Line)}: the first section must be [net] or [network], found [{CfgReader.Quote(net.Name)}]");

        var netOptions = new SectionOptions(net, "net", defaults);
        var builder = new LayoutBuilder(netOptions.Int("width"), netOptions.Int("height"), netOptions.Int("channels"), sourceName, net.Line);
        for (var i = 1; i < sections.Count; i++)
        {
            var section = sections[i];
            var type = TypeOf(section);
            var options = new SectionOptions(section, SectionNames.CanonicalName(type), defaults);
            builder.Line = section.Line;
            AddLayer(builder, options, type);
            var layer = builder.Last;
            layer.OptionLines = options.Lines();
            // parse_network_cfg: dontload=1 makes load_weights_upto skip the layer, whatever its type.
            if (layer.HasWeights && options.Flag("dontload")) layer.SkipLoading();
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

    private static void AddLayer(LayoutBuilder builder, SectionOptions o, LayerType type)
    {
        switch (type)
        {
            case LayerType.Convolutional:
            {
                RefuseWeightSkipping(o);
                RefuseUnless(o, "antialiasing", 0, "the blur layer darknet adds changes the shapes");
                var size = o.Int("size");
                var (strideX, strideY) = ConvolutionStrides(o);
                var xnor = o.Flag("xnor");
                // AlexeyAB: xnor=1 disables groups; cbn=1 is batch norm (with cross-iteration statistics) all the same.
                var groups = xnor ? 1 : o.Int("groups");
                var batchNormalize = o.Flag("batch_normalize") || o.Flag("cbn");
                int? share = o.Has("share_index") ? o.Int("share_index") : (int?)null;
                builder.Convolutional(o.Int("filters"), size, strideX, Padding(o, size), groups, batchNormalize,
                    Activation(o), o.Int("dilation"), share, strideY, xnor, o.Flag("binary"), o.Flag("flipped"));
                break;
            }
            case LayerType.Deconvolutional:
            {
                RefuseWeightSkipping(o);
                var size = o.Int("size");
                builder.Deconvolutional(o.Int("filters"), size, o.Int("stride"), Padding(o, size), o.Flag("batch_normalize"), Activation(o));
                break;
            }
            case LayerType.Connected:
                RefuseWeightSkipping(o);
                builder.Connected(o.Int("output"), o.Flag("batch_normalize"), Activation(o));
                break;
            case LayerType.BatchNorm:
                RefuseWeightSkipping(o);
                builder.BatchNorm();
                break;
            case LayerType.Crnn:
            {
                RefuseWeightSkipping(o);
                var size = o.Int("size");
                builder.Crnn(o.Int("output"), o.Int("hidden"), size, o.Int("stride"), Padding(o, size), o.Int("groups"),
                    o.Flag("batch_normalize"), Activation(o), o.Flag("xnor"));
                break;
            }
            case LayerType.Route:
                builder.Route(o.IntList("layers") ?? new int[0], o.Int("groups"), o.Int("group_id"));
                break;
            case LayerType.Shortcut:
            {
                var weights = ShortcutWeightsOf(o);
                builder.Shortcut(o.IntList("from") ?? new int[0], Activation(o), weights,
                    weights == ShortcutWeights.None ? "none" : WeightsNormalization(o), o.Float("alpha"), o.Float("beta"));
                break;
            }
            case LayerType.Sam:
                builder.Sam(SingleSource(o), Activation(o));
                break;
            case LayerType.ScaleChannels:
                builder.ScaleChannels(SingleSource(o), o.Flag("scale_wh"), Activation(o));
                break;
            case LayerType.Upsample:
                builder.Upsample(o.Int("stride"), o.Float("scale"));
                break;
            case LayerType.MaxPool:
            {
                RefuseUnless(o, "antialiasing", 0, "the blur layer darknet adds changes the shapes");
                var (stride, strideY, size, padding) = PoolWindow(o);
                if (o.Flag("maxpool_depth")) builder.MaxPoolDepth(o.Int("out_channels"), size, stride, padding);
                else builder.MaxPool(size, stride, padding, strideY);
                break;
            }
            case LayerType.LocalAvgPool:
            {
                var (stride, strideY, size, padding) = PoolWindow(o);
                builder.LocalAvgPool(size, stride, padding, strideY);
                break;
            }
            case LayerType.AvgPool:
                builder.AvgPool();
                break;
            case LayerType.Reorg:
                RefuseUnless(o, "extra", 0, "its output is no longer an image that the layers after it can follow");
                builder.Reorg(o.Int("stride"), o.Flag("reverse"), o.Flag("flatten"));
                break;
            case LayerType.Reorg3d:
                builder.Reorg3d(o.Int("stride"), o.Flag("reverse"));
                break;
            case LayerType.Crop:
                builder.Crop(o.Int("crop_width"), o.Int("crop_height"), o.Flag("noadjust"));
                break;
            case LayerType.Yolo:
                builder.Yolo(YoloHead(o, newCoords: o.Flag("new_coords")));
                break;
            case LayerType.GaussianYolo:
                builder.GaussianYolo(YoloHead(o, newCoords: false, YoloPointOf(o)));
                break;
            case LayerType.Region:
            {
                var num = o.Int("num");
                builder.Region(DetectionHead.Region(o.Int("classes"), Anchors(o, num), o.Flag("softmax"), o.Int("coords"), o.Flag("background")));
                builder.Last.Tree = o.String("tree");
                break;
            }
            case LayerType.Contrastive:
            {
                var yoloLayer = o.Int("yolo_layer");
                if (yoloLayer == 0)
                    throw new DarknetException(ErrorCodes.BadRoute, $"{o.Section.Where(o.Section.Line)}: [contrastive] needs yolo_layer= (the [yolo] layer it learns from)");
                builder.Contrastive(yoloLayer);
                break;
            }
            case LayerType.Detection:
                builder.Detection(DetectionHead.Detection(o.Int("classes"), o.Int("coords"), o.Int("num"), o.Int("side"), o.Flag("softmax")));
                break;
            case LayerType.Softmax:
                builder.Softmax(o.Int("groups"), o.Float("temperature"));
                builder.Last.Tree = o.String("tree");
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

    // AlexeyAB's parse_convolutional: stride_x and stride_y default to stride=, which is ignored once both are set.
    private static (int X, int Y) ConvolutionStrides(SectionOptions o)
    {
        var stride = o.Int("stride");
        var x = o.Int("stride_x");
        var y = o.Int("stride_y");
        return (x >= 1 ? x : stride, y >= 1 ? y : stride);
    }

    // parse_maxpool and parse_local_avgpool: stride_x/stride_y default to stride, size to stride, padding to size − 1.
    private static (int StrideX, int StrideY, int Size, int Padding) PoolWindow(SectionOptions o)
    {
        var stride = o.Int("stride");
        var size = o.Int("size", stride);
        return (o.Int("stride_x", stride), o.Int("stride_y", stride), size, o.Int("padding", size - 1));
    }

    // parse_yolo: num anchors in all (num=), those of mask= used here (every one when there is no mask).
    private static DetectionHead YoloHead(SectionOptions o, bool newCoords, YoloPoint point = YoloPoint.Center)
    {
        var num = o.Int("num");
        var mask = o.IntList("mask") ?? Enumerable.Range(0, Math.Max(num, 0)).ToArray();
        return DetectionHead.Yolo(o.Int("classes"), Anchors(o, num), mask, o.Float("scale_x_y"), newCoords, point);
    }

    // darknet's parse_gaussian_yolo: left_top and right_bottom compared case-sensitively, anything else is center.
    private static YoloPoint YoloPointOf(SectionOptions o) => o.String("yolo_point") switch
    {
        "left_top" => YoloPoint.LeftTop,
        "right_bottom" => YoloPoint.RightBottom,
        _ => YoloPoint.Center,
    };

    // darknet fills its num·2 biases with .5 and overwrites them with as many anchors as the cfg lists (no more than num·2).
    private static float[] Anchors(SectionOptions o, int num)
    {
        var anchors = new float[Math.Max(0, Math.Min(num, LayoutBuilder.MaxDimension)) * 2];
        for (var i = 0; i < anchors.Length; i++) anchors[i] = .5f;
        var listed = o.FloatList("anchors");
        if (listed != null) Array.Copy(listed, anchors, Math.Min(listed.Length, anchors.Length));
        return anchors;
    }

    private static string Activation(SectionOptions o)
    {
        var option = o.Find("activation");
        if (option != null && option.Value.Length == 0)
            throw new DarknetException(ErrorCodes.MalformedCfg, $"{o.Section.Where(option.Line)}: [{o.Section.Name}] activation= needs a name (e.g. leaky, mish, linear)");
        return o.String("activation")!;
    }

    // darknet's parse_shortcut: per_feature (alias per_layer), per_channel or none, compared case-sensitively.
    private static ShortcutWeights ShortcutWeightsOf(SectionOptions o)
    {
        var value = o.String("weights_type");
        switch (value)
        {
            case "none": return ShortcutWeights.None;
            case "per_feature":
            case "per_layer": return ShortcutWeights.PerFeature;
            case "per_channel": return ShortcutWeights.PerChannel;
            default: throw o.Unsupported("weights_type", $"weights_type={CfgReader.Quote(value ?? "")} is not one of none, per_feature, per_layer, per_channel");
        }
    }

    private static string WeightsNormalization(SectionOptions o)
    {
        var value = o.String("weights_normalization");
        switch (value)
        {
            case "none": return "none";
            case "relu":
            case "avg_relu": return "relu";
            case "softmax": return "softmax";
            default: throw o.Unsupported("weights_normalization", $"weights_normalization={CfgReader.Quote(value ?? "")} is not one of none, relu, avg_relu, softmax");
        }
    }

    // [sam] and [scale_channels] read one from= layer (darknet takes the first number of the list; more is refused).
    private static int SingleSource(SectionOptions o)
    {
        var from = o.IntList("from");
        if (from == null || from.Length != 1)
            throw new DarknetException(ErrorCodes.BadRoute,
                $"{o.Section.Where(o.Find("from")?.Line ?? o.Section.Line)}: [{o.Section.Name}] needs from= with exactly one layer");
        return from[0];
    }

    // darknet: pad=1 means padding = size/2 and overrides padding=.
    private static int Padding(SectionOptions o, int size) => o.Flag("pad") ? size / 2 : o.Int("padding");

    // dontloadscales makes darknet keep its initial batch-norm values (which no file holds); numload is read differently
    // by pjreddie's darknet (it caps the filters loaded) and AlexeyAB's (ignored): both are refused rather than guessed.
    private static void RefuseWeightSkipping(SectionOptions o)
    {
        RefuseUnless(o, "dontloadscales", 0, "darknet then keeps initial batch-norm values that no .weights file holds");
        if (o.Has("numload")) throw o.Unsupported("numload", "numload= is not supported (pjreddie's darknet and AlexeyAB's read it differently)");
    }

    private static void RefuseUnless(SectionOptions o, string key, int expected, string why)
    {
        var option = o.Find(key);
        if (option != null && o.Int(key) != expected)
            throw o.Unsupported(key, $"{key}={CfgReader.Quote(option.Value)} is not supported (only {expected}: {why})");
    }
}
