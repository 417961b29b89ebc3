using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Darknet.Weights.Config;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Onnx;

/// <summary>
/// A network's layout -> ONNX graph computing what darknet's forward pass computes at inference, layer by layer (each
/// darknet layer i ends in a tensor named <c>kind_i</c>, e.g. conv_0, yolo_82). Shapes and options come from the
/// layout alone; the graph keeps batch, height and width symbolic unless the export is pinned or decoded (boxes,
/// detections) or a layer needs its sizes (<see cref="NeedsItsSizes"/>). Anything it cannot reproduce exactly is refused with DKN1005 naming the section, the option and why.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly OnnxGraph _graph = new OnnxGraph();
    private readonly Dictionary<string, string> _constantNames = new Dictionary<string, string>();
    private readonly List<string> _tensors = new List<string>();
    private readonly List<int> _detectionLayers = new List<int>();
    private readonly NetworkLayout _layout;
    private readonly OnnxOutputs _outputs;
    private readonly bool _fixedSize;
    private readonly bool[] _sizeFollowsInput;
    private LayerInfo _layer = null!;

    private GraphBuilder(NetworkLayout layout, OnnxExportOptions options)
    {
        _layout = layout;
        _outputs = options.Outputs;
        _sizeFollowsInput = SizeFollowsInput(layout);
        _fixedSize = options.FixedSize || options.Outputs != OnnxOutputs.Layers || NeedsItsSizes(layout, _sizeFollowsInput);
    }

    public static OnnxGraph Build(NetworkLayout layout) => Build(layout, new OnnxExportOptions());

    public static OnnxGraph Build(NetworkLayout layout, OnnxExportOptions options)
    {
        if (layout == null) throw new ArgumentNullException(nameof(layout));
        return new GraphBuilder(layout, options ?? new OnnxExportOptions()).Run();
    }

    private OnnxGraph Run()
    {
        _graph.Input = new ValueInfo("input", new object[]
        {
            "N", (long)_layout.Channels, _fixedSize ? (object)(long)_layout.Height : "H", _fixedSize ? (object)(long)_layout.Width : "W",
        });

        foreach (var layer in _layout.Layers)
        {
            _layer = layer;
            RefuseReadingContrastive();
            _tensors.Add(AddLayer(layer.Index == 0 ? "input" : _tensors[layer.Index - 1]));
        }

        if (_outputs != OnnxOutputs.Layers)
        {
            if (_detectionLayers.Count == 0)
                throw new DarknetException(ErrorCodes.UnsupportedLayer,
                    $"{_layout.SourceName}: the network has no [yolo] or [region] layer, so it has no boxes to output (export its layers instead)");
            var heads = _detectionLayers.Select(i => (_layout.Layers[i], _tensors[i])).ToList();
            HeadDecoding.Add(this, _layout, heads, _outputs == OnnxOutputs.Detections);
            return _graph;
        }
        if (_detectionLayers.Count > 0)
        {
            foreach (var index in _detectionLayers) AddOutput(_layout.Layers[index]);
        }
        else
        {
            // darknet's network output is the last layer that is not a cost layer.
            int last = _layout.Layers.Count - 1;
            while (last > 0 && _layout.Layers[last].Type == LayerType.Cost) last--;
            AddOutput(_layout.Layers[last]);
        }
        return _graph;
    }

    internal OnnxGraph Graph => _graph;

    private void AddOutput(LayerInfo layer)
    {
        var tensor = _tensors[layer.Index];
        object Dim(int value, string axis) => _fixedSize || !_sizeFollowsInput[layer.Index] ? (object)(long)value : tensor + "_" + axis;
        _graph.Outputs.Add(new ValueInfo(tensor, new object[] { "N", (long)layer.OutputChannels, Dim(layer.OutputHeight, "h"), Dim(layer.OutputWidth, "w") }));
    }

    // Whether a layer's height and width change with the input's: not after a global average pool or a connected layer.
    private static bool[] SizeFollowsInput(NetworkLayout layout)
    {
        var follows = new bool[layout.Layers.Count];
        foreach (var l in layout.Layers)
        {
            bool previous = l.Index == 0 || follows[l.Index - 1];
            follows[l.Index] = l.Type switch
            {
                LayerType.AvgPool or LayerType.Connected => false,
                LayerType.Route => follows[l.Sources[0]],
                _ => previous,
            };
        }
        return follows;
    }

    // Layers whose graph needs the sizes themselves: [connected] reads every value, [crop] takes a window from the
    // centre, pjreddie's [reorg] reads its input as another shape, a [detection] layer's grid fixes its input count, a
    // [softmax] over a spatial input runs over c·h·w.
    private static bool NeedsItsSizes(NetworkLayout layout, bool[] sizeFollowsInput) =>
        layout.Layers.Any(l => l.Type == LayerType.Connected || l.Type == LayerType.Crop || l.Type == LayerType.Reorg || l.Type == LayerType.Detection
                               || (l.Type == LayerType.Softmax && l.Index > 0 && sizeFollowsInput[l.Index - 1]));

    private string AddLayer(string x)
    {
        switch (_layer.Type)
        {
            case LayerType.Convolutional: return Convolutional(x);
            case LayerType.Connected: return Connected(x);
            case LayerType.BatchNorm: return BatchNorm(x);
            case LayerType.MaxPool: return MaxPool(x);
            case LayerType.LocalAvgPool: return LocalAvgPool(x);
            case LayerType.AvgPool: return Node("GlobalAveragePool", LayerName("avgpool"), x).Outputs[0];
            case LayerType.Route: return Route();
            case LayerType.Shortcut: return Shortcut(x);
            case LayerType.Upsample: return Upsample(x);
            case LayerType.Reorg: return Reorg(x);
            case LayerType.Reorg3d: return Reorg3d(x);
            case LayerType.Crop: return Crop(x);
            case LayerType.Yolo: return Yolo(x);
            case LayerType.GaussianYolo: return GaussianYolo(x);
            case LayerType.Region: return Region(x);
            case LayerType.Detection: return Detection(x);
            case LayerType.Softmax: return Softmax(x);
            case LayerType.ScaleChannels: return ScaleChannels(x);
            case LayerType.Sam: return Sam(x);
            case LayerType.Dropout: return Node("Identity", LayerName("dropout"), x).Outputs[0];
            case LayerType.Cost: return Node("Identity", LayerName("cost"), x).Outputs[0];
            // A training-only loss over a [yolo] layer's embeddings, which no exported output reads (see RefuseReadingContrastive).
            case LayerType.Contrastive: return Node("Identity", LayerName("contrastive"), x).Outputs[0];
            case LayerType.Crnn:
                throw new DarknetException(ErrorCodes.RecurrentNotExportable,
                    $"{Where(_layer.Line)}: [crnn] is a recurrent layer: darknet keeps its state from one image to the next, which an ONNX model of one forward pass cannot; convert the weights to npy, npz or safetensors instead");
            default:
                throw new DarknetException(ErrorCodes.UnsupportedLayer, $"{Where(_layer.Line)}: [{_layer.SectionName}] layers cannot be exported to ONNX");
        }
    }

    // At inference AlexeyAB's CPU forward_contrastive_layer leaves its output at zero and the GPU one copies its input:
    // a layer that reads a [contrastive] layer's output has no one value to export.
    private void RefuseReadingContrastive()
    {
        if (_layer.Type == LayerType.Contrastive) return;
        var read = _layer.Type == LayerType.Route ? _layer.Sources : _layer.Sources.Concat(new[] { _layer.Index - 1 });
        foreach (var index in read)
            if (index >= 0 && _layout.Layers[index].Type == LayerType.Contrastive)
                throw Unsupported($"reads the output of layer {index} ([contrastive]), which darknet's CPU forward pass leaves at zero and its GPU pass sets to its input: it cannot be exported", _layer.Line);
    }

    private string Convolutional(string x)
    {
        var l = _layer;
        RefuseIf(l.Binary, "binary",
            "binary=1 (darknet's CPU forward pass uses the float weights once and then swaps in a buffer it never fills, its GPU pass binarizes them: there is no one computation to export)");
        RefuseIf(l.Dilation != 1, "dilation",
            $"dilation={l.Dilation} (AlexeyAB sizes the output without it but im2col_cpu_ext reads with it; neither reference reads it to prove an export)");
        RefuseIf(l.SharesWeightsOf != null, "share_index", "share_index= (another layer's weights; neither reference reads it to prove an export)");
        RefuseIf(l.DontLoad, "dontload", "dontload=1 (the file holds none of its weights)");
        var block = l.Stored[0];
        var name = LayerName("conv");
        var weights = name + "/W";
        var bias = name + "/B";
        _graph.WeightSlots.Add(new WeightSlot(WeightKind.Convolutional, Describe(), weights,
            new long[] { block.Filters, block.InputChannels / block.Groups, block.Size, block.Size }, bias, new long[] { block.Filters }, binarized: l.Xnor));
        // xnor=1 (forward_convolutional_layer): the weights binarized (folded so at export) and the input binarized to
        // x > 0 ? 1 : −1 before the convolution, whose padding im2col fills with zeros; batch norm and activation after.
        if (l.Xnor)
            x = Node("Where", name + "/binary_input", Node("Greater", name + "/positive", x, Scalar(0f)).Outputs[0], Scalar(1f), Scalar(-1f)).Outputs[0];
        var conv = Node("Conv", name + "/conv", x, weights, bias);
        conv.Attributes.Add(OnnxAttribute.Ints("kernel_shape", l.Size, l.Size));
        conv.Attributes.Add(OnnxAttribute.Ints("strides", l.StrideY, l.Stride));
        conv.Attributes.Add(OnnxAttribute.Ints("pads", l.Padding, l.Padding, l.Padding, l.Padding));
        conv.Attributes.Add(OnnxAttribute.Int("group", l.Groups));
        Activate(conv.Outputs[0], name);
        return name;
    }

    private string Connected(string x)
    {
        var l = _layer;
        RefuseIf(l.DontLoad, "dontload", "dontload=1 (the file holds none of its weights)");
        var name = LayerName("fc");
        var weights = name + "/W";
        var bias = name + "/B";
        _graph.WeightSlots.Add(new WeightSlot(WeightKind.Connected, Describe(), weights, new long[] { l.Filters, l.Inputs }, bias, new long[] { l.Filters }));
        var flat = Node("Flatten", name + "/flat", x);
        flat.Attributes.Add(OnnxAttribute.Int("axis", 1));
        var gemm = Node("Gemm", name + "/gemm", flat.Outputs[0], weights, bias).WithAttribute(OnnxAttribute.Int("transB", 1));
        var shaped = Node("Reshape", name + "/nchw", gemm.Outputs[0], Ints(0, l.Filters, 1, 1));
        Activate(shaped.Outputs[0], name);
        return name;
    }

    private string BatchNorm(string x)
    {
        RefuseIf(_layer.DontLoad, "dontload", "dontload=1 (the file holds none of its weights)");
        int c = _layer.OutputChannels;
        var name = LayerName("bn");
        var scale = name + "/scale";
        var shift = name + "/shift";
        _graph.WeightSlots.Add(new WeightSlot(WeightKind.BatchNorm, Describe(), scale, new long[] { c, 1, 1 }, shift, new long[] { c, 1, 1 }));
        Node("Add", name, Node("Mul", name + "/mul", x, scale).Outputs[0], shift);
        return name;
    }

    private string MaxPool(string x)
    {
        RefuseIf(_layer.MaxPoolDepth, "maxpool_depth", "maxpool_depth=1 (a max across channels, not lowered: no cfg uses it and neither reference reads it)");
        return Pool("MaxPool", "maxpool", x);
    }

    // forward_local_avgpool_layer: darknet's windows (as [maxpool]), each averaged over the values inside the input.
    private string LocalAvgPool(string x) => Pool("AveragePool", "local_avgpool", x);

    // darknet starts the window at -padding/2 and sizes the output (w + padding - size)/stride + 1: the padding is split
    // padding/2 before, the rest after (yolov3-tiny's size-2 stride-1 pool pads one column on the right). A max pool
    // never picks ONNX's padding; an average one leaves it out of the count (count_include_pad=0), as darknet counts.
    private string Pool(string opType, string kind, string x)
    {
        var l = _layer;
        int before = l.Padding / 2, after = l.Padding - before;
        RefuseIf(after >= l.Size, null, $"size={l.Size} stride={l.Stride} padding={l.Padding} (ONNX pads must be smaller than the window)");
        var name = LayerName(kind);
        var pool = Node(opType, name, x);
        pool.Attributes.Add(OnnxAttribute.Ints("kernel_shape", l.Size, l.Size));
        pool.Attributes.Add(OnnxAttribute.Ints("strides", l.StrideY, l.Stride));
        pool.Attributes.Add(OnnxAttribute.Ints("pads", before, before, after, after));
        if (opType == "AveragePool") pool.Attributes.Add(OnnxAttribute.Int("count_include_pad", 0));
        return name;
    }

    private string Route()
    {
        var l = _layer;
        var name = LayerName("route");
        var parts = new List<string>();
        foreach (var source in l.Sources)
        {
            var from = _layout.Layers[source];
            if (from.OutputChannels % l.Groups != 0)
                throw new DarknetException(ErrorCodes.BadRoute, $"{Where(l.LineOf("layers"))}: [route] cannot split {from.OutputChannels} channels into {l.Groups} groups");
            int part = from.OutputChannels / l.Groups;
            parts.Add(l.Groups == 1 ? _tensors[source] : SliceChannels(name + "/part" + parts.Count, _tensors[source], part * l.GroupId, part * (l.GroupId + 1)));
        }
        if (parts.Count == 1) Node("Identity", name, parts[0]);
        else Node("Concat", name, parts.ToArray()).Attributes.Add(OnnxAttribute.Int("axis", 1));
        return name;
    }

    // darknet's shortcut adds the first min(c1, c2) channels of the `from` layer, scaled by beta, to the previous layer's
    // output scaled by alpha; the previous layer's further channels pass unchanged. Then the activation.
    private string Shortcut(string x)
    {
        var l = _layer;
        RefuseIf(l.Sources.Count != 1, "from", "from= with several layers (AlexeyAB's multi-input shortcut, not lowered: no cfg uses it and neither reference reads it)");
        RefuseIf(l.ShortcutWeights != ShortcutWeights.None, "weights_type",
            $"weights_type={(l.ShortcutWeights == ShortcutWeights.PerChannel ? "per_channel" : "per_feature")} (AlexeyAB's weighted shortcut, not lowered: no cfg uses it and neither reference reads it)");
        var from = _layout.Layers[l.Sources[0]];
        int inW = l.InputWidth, inH = l.InputHeight, inC = l.InputChannels;
        // A larger `from` layer (resnet's projection-free downsampling) is read at every stride-th pixel, as shortcut_cpu does.
        int stride = inW > 0 ? from.OutputWidth / inW : 0;
        RefuseIf(stride < 1 || from.OutputHeight != inH * stride || from.OutputWidth != inW * stride, null,
            $"a shortcut from a {from.OutputWidth}x{from.OutputHeight} layer onto {inW}x{inH} (only the same size or a whole multiple)");
        var name = LayerName("shortcut");
        int common = Math.Min(inC, from.OutputChannels);
        string added = _tensors[from.Index];
        if (stride > 1)
            added = Node("Slice", name + "/strided", added, Ints(0, 0), Ints(int.MaxValue, int.MaxValue), Ints(2, 3), Ints(stride, stride)).Outputs[0];
        if (from.OutputChannels > common) added = SliceChannels(name + "/from", added, 0, common);
        if (l.Beta != 1f) added = Node("Mul", name + "/beta", added, Scalar(l.Beta)).Outputs[0];
        string kept = inC > common ? SliceChannels(name + "/head", x, 0, common) : x;
        if (l.Alpha != 1f) kept = Node("Mul", name + "/alpha", kept, Scalar(l.Alpha)).Outputs[0];
        string sum = Node("Add", name + "/sum", kept, added).Outputs[0];
        if (inC > common)
            sum = Node("Concat", name + "/all", sum, SliceChannels(name + "/tail", x, common, inC)).WithAttribute(OnnxAttribute.Int("axis", 1)).Outputs[0];
        Activate(sum, name);
        return name;
    }

    private string Upsample(string x)
    {
        var l = _layer;
        RefuseIf(l.Stride < 1, null, $"stride={l.Stride} (downsampling)");
        var name = LayerName("upsample");
        var output = l.Scale == 1f ? name : name + "/resize";
        var resize = Node("Resize", output, x, "", Floats(1f, 1f, l.Stride, l.Stride));
        resize.Attributes.Add(OnnxAttribute.String("mode", "nearest"));
        resize.Attributes.Add(OnnxAttribute.String("coordinate_transformation_mode", "asymmetric"));
        resize.Attributes.Add(OnnxAttribute.String("nearest_mode", "floor"));
        if (l.Scale != 1f) Node("Mul", name, output, Scalar(l.Scale));
        return name;
    }

    // pjreddie's reorg (reorg_cpu with forward = 0) reads its input as if it had c/s² channels of (h·s, w·s) and writes
    // c channels of (h, w), which the next layer takes as c·s² channels of (h/s, w/s). In tensor terms: view the input
    // as (n, c/s², h, s, w, s), move the two s axes to the front of the channels, and view the result as the output.
    private string Reorg(string x)
    {
        var l = _layer;
        RefuseIf(l.Flatten, "flatten", "flatten=1 (pjreddie's reorg then transposes (c, h·w) instead, not lowered: no cfg uses it)");
        if (l.Reverse) return ReverseReorg(x);
        int s = l.Stride, c = l.InputChannels, h = l.InputHeight, w = l.InputWidth;
        RefuseIf(c % (s * s) != 0 || h % s != 0 || w % s != 0, null, $"stride={s} on {c}x{h}x{w}");
        var name = LayerName("reorg");
        var view = Node("Reshape", name + "/view", x, Ints(0, c / (s * s), h, s, w, s)).Outputs[0];
        var moved = Node("Transpose", name + "/moved", view).WithAttribute(OnnxAttribute.Ints("perm", 0, 3, 5, 1, 2, 4)).Outputs[0];
        Node("Reshape", name, moved, Ints(0, c * s * s, h / s, w / s));
        return name;
    }

    // pjreddie's reorg with reverse=1 (reorg_cpu with forward = 1, as AlexeyAB's [reorg] too) writes in[k, y, x] to
    // out[k mod c/s², y·s + dy, x·s + dx] with k div (c/s²) = dy·s + dx: ONNX's DepthToSpace in DCR mode.
    private string ReverseReorg(string x) =>
        Node("DepthToSpace", LayerName("reorg"), x).WithAttribute(OnnxAttribute.Int("blocksize", _layer.Stride))
            .WithAttribute(OnnxAttribute.String("mode", "DCR")).Outputs[0];

    // AlexeyAB's reorg3d calls reorg_cpu with the output's sizes: out[(dy·s + dx)·c + k, y, x] = in[k, y·s + dy, x·s + dx],
    // which is ONNX's SpaceToDepth.
    private string Reorg3d(string x)
    {
        var l = _layer;
        RefuseIf(l.Reverse, "reverse",
            "reverse=1 (forward_reorg_layer then hands reorg_cpu the output's sizes, a shuffle that is not depth to space; no cfg uses it and no reference reads it)");
        RefuseIf(l.InputHeight % l.Stride != 0 || l.InputWidth % l.Stride != 0, null,
            $"stride={l.Stride} on a {l.InputWidth}x{l.InputHeight} input (only a size it divides)");
        return Node("SpaceToDepth", LayerName("reorg3d"), x).WithAttribute(OnnxAttribute.Int("blocksize", l.Stride)).Outputs[0];
    }

    // forward_crop_layer at inference: the centre window ((h − crop_h)/2, (w − crop_w)/2), times 2 minus 1 unless noadjust.
    private string Crop(string x)
    {
        var l = _layer;
        int top = (l.InputHeight - l.OutputHeight) / 2, left = (l.InputWidth - l.OutputWidth) / 2;
        var name = LayerName("crop");
        var window = Node("Slice", l.NoAdjust ? name : name + "/window", x, Ints(top, left), Ints(top + l.OutputHeight, left + l.OutputWidth), Ints(2, 3)).Outputs[0];
        if (!l.NoAdjust) Node("Add", name, Node("Mul", name + "/scale", window, Scalar(2f)).Outputs[0], Scalar(-1f));
        return name;
    }

    // forward_yolo_layer: per anchor, logistic on x, y and on objectness + classes; w, h stay raw. AlexeyAB's
    // scale_x_y then maps x, y to x·s − (s − 1)/2, and new_coords=1 skips the logistic (the conv already applied it).
    // One per-channel blend of the raw and the mapped values: no channel is sliced out, no shape computed.
    private string Yolo(string x)
    {
        var head = _layer.Head!;
        int anchors = head.AnchorsPerCell, entries = 4 + 1 + head.Classes, c = _layer.InputChannels;
        RefuseIf(c != anchors * entries, null,
            $"the layer before has {c} channels, but {anchors} anchors x (5 + {head.Classes} classes) need {anchors * entries}");
        var name = LayerName("yolo");
        float shift = -0.5f * (head.ScaleXY - 1f);
        _detectionLayers.Add(_layer.Index);
        if (head.NewCoords)
        {
            if (head.ScaleXY == 1f) return Node("Identity", name, x).Outputs[0];
            var scale = new float[c];
            var offset = new float[c];
            for (int channel = 0; channel < c; channel++)
            {
                bool xy = channel % entries < 2;
                scale[channel] = xy ? head.ScaleXY : 1f;
                offset[channel] = xy ? shift : 0f;
            }
            return Node("Add", name, Node("Mul", name + "/scaled", x, PerChannel(scale)).Outputs[0], PerChannel(offset)).Outputs[0];
        }
        var raw = new float[c];
        var factor = new float[c];
        var add = new float[c];
        for (int channel = 0; channel < c; channel++)
        {
            int entry = channel % entries;
            bool squashed = entry != 2 && entry != 3;
            raw[channel] = squashed ? 0f : 1f;
            factor[channel] = !squashed ? 0f : entry < 2 ? head.ScaleXY : 1f;
            add[channel] = entry < 2 ? shift : 0f;
        }
        Blend(name, x, raw, factor, add);
        return name;
    }

    // x·raw + (logistic(x)·factor + add), per channel: raw 1 and factor 0 keep a value as it is, raw 0 maps it.
    private void Blend(string name, string x, float[] raw, float[] factor, float[] add)
    {
        var logistic = Node("Sigmoid", name + "/logistic", x).Outputs[0];
        var mapped = Node("Mul", name + "/mapped", logistic, PerChannel(factor)).Outputs[0];
        if (add.Any(v => v != 0f)) mapped = Node("Add", name + "/shifted", mapped, PerChannel(add)).Outputs[0];
        var kept = Node("Mul", name + "/raw", x, PerChannel(raw)).Outputs[0];
        Node("Add", name, kept, mapped);
    }

    // forward_gaussian_yolo_layer: per anchor the entries are x, σx, y, σy, w, σw, h, σh, objectness, classes. Logistic on
    // all but the w and h means; scale_x_y maps the x and y means (only them) to v·s − (s − 1)/2. Written as one
    // per-channel blend of the raw and the logistic values, so no shape is computed at run time.
    private string GaussianYolo(string x)
    {
        var head = _layer.Head!;
        int anchors = head.AnchorsPerCell, entries = 8 + 1 + head.Classes, c = _layer.InputChannels;
        RefuseIf(c != anchors * entries, null,
            $"the layer before has {c} channels, but {anchors} anchors x (9 + {head.Classes} classes) need {anchors * entries}");
        var raw = new float[c];
        var scale = new float[c];
        var shift = new float[c];
        for (int channel = 0; channel < c; channel++)
        {
            int entry = channel % entries;
            bool squashed = entry != 4 && entry != 6;
            bool scaled = entry == 0 || entry == 2;
            raw[channel] = squashed ? 0f : 1f;
            scale[channel] = !squashed ? 0f : scaled ? head.ScaleXY : 1f;
            shift[channel] = scaled ? -0.5f * (head.ScaleXY - 1f) : 0f;
        }
        var name = LayerName("Gaussian_yolo");
        Blend(name, x, raw, scale, shift);
        _detectionLayers.Add(_layer.Index);
        return name;
    }

    // forward_region_layer: per anchor, logistic on x, y and on objectness; the classes get a softmax (softmax=1,
    // over the class channels at each cell) or a logistic each. Each anchor's entries are constant channel slices.
    private string Region(string x)
    {
        var head = _layer.Head!;
        RefuseIf(head.Background, "background", "background=1");
        RefuseIf(_layer.Tree != null, "tree", TreeReason);
        RefuseIf(head.Coords < 2, null, $"coords={head.Coords}");
        int classes = head.Classes, coords = head.Coords, anchors = head.Num, entries = coords + 1 + classes;
        RefuseIf(_layer.InputChannels != anchors * entries, null,
            $"the layer before has {_layer.InputChannels} channels, but {anchors} anchors x ({coords} + 1 + {classes} classes) need {anchors * entries}");
        var name = LayerName("region");
        var parts = new List<string>();
        for (int a = 0; a < anchors; a++)
        {
            int first = a * entries;
            string part = name + "/" + a.ToString(CultureInfo.InvariantCulture);
            parts.Add(Node("Sigmoid", part + "/xy_logistic", SliceChannels(part + "/xy", x, first, first + 2)).Outputs[0]);
            if (coords > 2) parts.Add(SliceChannels(part + "/wh", x, first + 2, first + coords));
            parts.Add(Node("Sigmoid", part + "/objectness_logistic", SliceChannels(part + "/objectness", x, first + coords, first + coords + 1)).Outputs[0]);
            if (classes > 0)
            {
                var classScores = SliceChannels(part + "/classes", x, first + coords + 1, first + entries);
                parts.Add(head.Softmax
                    ? Node("Softmax", part + "/classes_softmax", classScores).WithAttribute(OnnxAttribute.Int("axis", 1)).Outputs[0]
                    : Node("Sigmoid", part + "/classes_logistic", classScores).Outputs[0]);
            }
        }
        Node("Concat", name, parts.ToArray()).WithAttribute(OnnxAttribute.Int("axis", 1));
        _detectionLayers.Add(_layer.Index);
        return name;
    }

    // forward_detection_layer at inference: a copy of its input, and with softmax=1 a softmax over each cell's classes,
    // which come first in the flat c·h·w values (side² runs of `classes`). make_detection_layer asserts that
    // side²·((1 + coords)·num + classes) is the input count.
    private string Detection(string x)
    {
        var l = _layer;
        var head = l.Head!;
        long inputs = (long)l.InputChannels * l.InputHeight * l.InputWidth, cells = (long)head.Side * head.Side;
        if (cells * ((1L + head.Coords) * head.Num + head.Classes) != inputs)
            throw new DarknetException(ErrorCodes.BadSize,
                $"{Where(l.LineOf("side"))}: [detection] side={head.Side}, coords={head.Coords}, num={head.Num} and classes={head.Classes} need side²·((1 + coords)·num + classes) = {cells * ((1L + head.Coords) * head.Num + head.Classes)} inputs, but the layer before gives {inputs}");
        var name = LayerName("detection");
        _detectionLayers.Add(l.Index);
        if (!head.Softmax)
        {
            Node("Identity", name, x);
            return name;
        }
        long classValues = cells * head.Classes;
        var flat = Node("Reshape", name + "/flat", x, Ints(0, inputs)).Outputs[0];
        var perCell = Node("Reshape", name + "/cells", SliceChannels(name + "/classes", flat, 0, classValues), Ints(0, cells, head.Classes)).Outputs[0];
        var soft = Node("Softmax", name + "/softmax", perCell).WithAttribute(OnnxAttribute.Int("axis", 2)).Outputs[0];
        var parts = Node("Reshape", name + "/classes_flat", soft, Ints(0, classValues)).Outputs[0];
        if (inputs > classValues)
            parts = Node("Concat", name + "/joined", parts, SliceChannels(name + "/boxes", flat, classValues, inputs)).WithAttribute(OnnxAttribute.Int("axis", 1)).Outputs[0];
        Node("Reshape", name, parts, Ints(0, l.InputChannels, l.InputHeight, l.InputWidth));
        return name;
    }

    // forward_softmax_layer: a softmax over each of `groups` equal runs of the flattened c·h·w values, of input / temperature.
    private string Softmax(string x)
    {
        var l = _layer;
        RefuseIf(l.Tree != null, "tree", TreeReason);
        int groups = l.Groups;
        RefuseIf((long)l.InputChannels * l.InputHeight * l.InputWidth % groups != 0, null, $"groups={groups}");
        var name = LayerName("softmax");
        var grouped = Node("Reshape", name + "/groups", x, Ints(0, groups, -1)).Outputs[0];
        if (l.Temperature != 1f) grouped = Node("Div", name + "/temperature", grouped, Scalar(l.Temperature)).Outputs[0];
        var soft = Node("Softmax", name + "/softmax", grouped).WithAttribute(OnnxAttribute.Int("axis", 2)).Outputs[0];
        Node("Reshape", name, soft, Ints(0, l.OutputChannels, l.OutputHeight, l.OutputWidth));
        return name;
    }

    // AlexeyAB's [scale_channels]: the `from` layer's output times the previous layer's (c, 1, 1) output, per channel.
    private string ScaleChannels(string x)
    {
        RefuseIf(_layer.ScaleWh, "scale_wh", "scale_wh=1");
        var name = LayerName("scale_channels");
        Activate(Node("Mul", name + "/mul", _tensors[_layer.Sources[0]], x).Outputs[0], name);
        return name;
    }

    // AlexeyAB's [sam]: the `from` layer's output times the previous layer's output, element by element.
    private string Sam(string x)
    {
        var name = LayerName("sam");
        Activate(Node("Mul", name + "/mul", _tensors[_layer.Sources[0]], x).Outputs[0], name);
        return name;
    }

    private void Activate(string input, string output) =>
        Activations.Apply(this, _layer.Activation!, input, output, what => Unsupported(what, _layer.LineOf("activation")));

    internal string SliceChannels(string output, string input, long start, long end) =>
        Node("Slice", output, input, Ints(start), Ints(end), Ints(1)).Outputs[0];

    private const string TreeReason = "tree= (YOLO9000's word tree: the softmax runs over each group of the tree file, which the layout does not hold)";

    private string LayerName(string kind) => kind + "_" + _layer.Index.ToString(CultureInfo.InvariantCulture);

    private string Describe() => $"layer {_layer.Index} ([{_layer.SectionName}] at {Where(_layer.Line)})";

    private string Where(int line) => CfgReader.Where(_layout.SourceName, line);

    public OnnxNode Node(string opType, string output, params string[] inputs)
    {
        var node = new OnnxNode(opType, output, inputs, new[] { output });
        _graph.Nodes.Add(node);
        return node;
    }

    public string Scalar(float value) => Constant(new long[0], new[] { value }, null);

    internal string Floats(params float[] values) => Constant(new long[] { values.Length }, values, null);

    /// <summary>A float32 constant of any shape.</summary>
    internal string Floats(long[] dims, float[] values) => Constant(dims, values, null);

    /// <summary>A (1, c, 1, 1) constant that scales or shifts each channel of an NCHW tensor.</summary>
    internal string PerChannel(float[] values) => Constant(new long[] { 1, values.Length, 1, 1 }, values, null);

    internal string Ints(params long[] values) => Constant(new long[] { values.Length }, null, values);

    private string Constant(long[] dims, float[]? floats, long[]? int64s)
    {
        var key = (floats != null ? "f" + string.Join(",", Array.ConvertAll(floats, f => f.ToString("R", CultureInfo.InvariantCulture)))
                                  : "i" + string.Join(",", int64s!)) + "/" + string.Join(",", dims);
        if (_constantNames.TryGetValue(key, out var existing)) return existing;
        var name = "const_" + _constantNames.Count.ToString(CultureInfo.InvariantCulture);
        _constantNames.Add(key, name);
        _graph.Constants.Add(new ConstantTensor(name, dims, floats, int64s));
        return name;
    }

    /// <summary>Refuses with DKN1005 at the line of option <paramref name="key"/>, or of the section when the refusal is about it as a whole (null).</summary>
    private void RefuseIf(bool refused, string? key, string what)
    {
        if (refused) throw Unsupported(what + " cannot be exported", key == null ? _layer.Line : _layer.LineOf(key));
    }

    private DarknetException Unsupported(string what, int line) =>
        new DarknetException(ErrorCodes.UnsupportedLayer, $"{Where(line)}: [{_layer.SectionName}] {what}");
}
