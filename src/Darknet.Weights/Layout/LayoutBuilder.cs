using System;
using System.Collections.Generic;
using System.Linq;

namespace Darknet.Weights.Layout;

/// <summary>
/// Builds a <see cref="NetworkLayout"/> layer by layer, computing each layer's shapes and float count with darknet's
/// rules (darknet-format.md §2). The cfg reader drives it section by section; the built-in models describe their
/// networks with it in code, e.g. <c>new LayoutBuilder(416, 416).Conv(32, 3).Conv(64, 3, 2).Residual(64, 1)</c>.
/// Every impossible or absurd number is refused with <see cref="ErrorCodes.BadSize"/> or <see cref="ErrorCodes.BadRoute"/>.
/// </summary>
internal sealed class LayoutBuilder
{
    /// <summary>Largest width, height, channel count, filter count, kernel size, stride or padding accepted.</summary>
    public const int MaxDimension = 1 << 20;

    /// <summary>Largest float count of one layer, and largest h·w·c of one layer's output.</summary>
    public const long MaxLayerFloats = int.MaxValue;

    private readonly List<LayerInfo> _layers = new List<LayerInfo>();
    private readonly string _sourceName;
    private readonly int _width;
    private readonly int _height;
    private readonly int _channels;

    public LayoutBuilder(int width, int height, int channels = 3)
        : this(width, height, channels, "built-in layout", 0)
    {
    }

    internal LayoutBuilder(int width, int height, int channels, string sourceName, int netLine)
    {
        _sourceName = sourceName;
        Line = netLine;
        _width = CheckDimension("net", "width", width, 1);
        _height = CheckDimension("net", "height", height, 1);
        _channels = CheckDimension("net", "channels", channels, 1);
        CheckVolume("net", width, height, channels);
    }

    /// <summary>Layers added so far; also the index the next layer gets.</summary>
    public int Count => _layers.Count;

    /// <summary>cfg line recorded for the next layer and named in its errors (the cfg reader sets it; 0 in code).</summary>
    internal int Line { get; set; }

    private int InC => _layers.Count == 0 ? _channels : _layers[_layers.Count - 1].OutputChannels;

    private int InH => _layers.Count == 0 ? _height : _layers[_layers.Count - 1].OutputHeight;

    private int InW => _layers.Count == 0 ? _width : _layers[_layers.Count - 1].OutputWidth;

    // ---- darknet idioms, for layouts written in code ----

    /// <summary>darknet's usual conv: batch_normalize=1, pad=1 (padding size/2), groups=1, leaky unless told.</summary>
    public LayoutBuilder Conv(int filters, int size, int stride = 1, string activation = "leaky") =>
        Convolutional(filters, size, stride, size / 2, 1, batchNormalize: true, activation: activation);

    /// <summary>A 1×1 linear conv with biases and no batch norm: the detection conv before [yolo], or a classifier's last conv.</summary>
    public LayoutBuilder Conv1x1Linear(int filters) => Convolutional(filters, 1, 1, 0, 1, batchNormalize: false, activation: "linear");

    /// <summary>
    /// Darknet-53's residual blocks: <paramref name="blocks"/> times a 1×1 conv to filters/2, a 3×3 conv back to
    /// <paramref name="filters"/>, and [shortcut] from=-3.
    /// </summary>
    public LayoutBuilder Residual(int filters, int blocks)
    {
        for (var i = 0; i < blocks; i++) Conv(filters / 2, 1).Conv(filters, 3).Shortcut(-3);
        return this;
    }

    // ---- one method per darknet section ----

    /// <summary>
    /// [convolutional]. <paramref name="dilation"/> is recorded only (AlexeyAB computes the output size without it).
    /// <paramref name="strideY"/> is AlexeyAB's stride_y (default: <paramref name="stride"/>, which is then stride_x).
    /// <paramref name="sharesWeightsOf"/> (AlexeyAB's share_index=, absolute or negative = relative) makes the layer use
    /// that convolution's parameters: it must have the same kernel, input channels, filters and groups, and this layer
    /// then stores no floats.
    /// </summary>
    public LayoutBuilder Convolutional(int filters, int size, int stride, int padding, int groups = 1, bool batchNormalize = false,
        string activation = "logistic", int dilation = 1, int? sharesWeightsOf = null, int? strideY = null,
        bool xnor = false, bool binary = false, bool flipped = false)
    {
        const string section = "convolutional";
        CheckDimension(section, "filters", filters, 1);
        CheckDimension(section, "size", size, 1);
        CheckDimension(section, "stride", stride, 1);
        var sy = CheckDimension(section, "stride_y", strideY ?? stride, 1);
        CheckDimension(section, "padding", padding, 0);
        CheckDimension(section, "groups", groups, 1);
        CheckDimension(section, "dilation", dilation, 1);
        if (InC % groups != 0 || filters % groups != 0)
            throw Bad(ErrorCodes.BadSize, section, $"groups={groups} must divide both the {InC} input channels and filters={filters}");
        var outH = ConvOutput(section, "height", InH, size, sy, padding);
        var outW = ConvOutput(section, "width", InW, size, stride, padding);
        var layer = Add(LayerType.Convolutional, filters, outH, outW);
        layer.Filters = filters;
        layer.Size = size;
        layer.Stride = stride;
        layer.StrideY = sy;
        layer.Padding = padding;
        layer.Groups = groups;
        layer.BatchNormalize = batchNormalize;
        layer.Activation = ActivationName(activation);
        layer.Dilation = size == 1 ? 1 : dilation;
        layer.Xnor = xnor;
        layer.Binary = binary;
        layer.Flipped = flipped;
        CheckFloats(section, filters * (batchNormalize ? 4L : 1L) + (long)filters * (layer.InputChannels / groups) * size * size);
        if (sharesWeightsOf == null)
        {
            layer.Store(StoredBlock.Convolution(filters, layer.InputChannels, groups, size, batchNormalize, flipped));
            return this;
        }
        var shared = ResolveBefore(layer, section, "share_index", sharesWeightsOf.Value);
        if (shared.Type != LayerType.Convolutional || shared.Size != size || shared.InputChannels != layer.InputChannels
            || shared.Filters != filters || shared.Groups != groups || shared.BatchNormalize != batchNormalize)
        {
            _layers.RemoveAt(_layers.Count - 1);
            throw Bad(ErrorCodes.BadSize, section,
                $"share_index={sharesWeightsOf} points at layer {shared.Index} ({shared}), which is not a convolution with the same kernel, input channels, filters, groups and batch norm");
        }
        layer.SharesWeightsOf = shared.SharesWeightsOf ?? shared.Index;
        return this;
    }

    public LayoutBuilder Deconvolutional(int filters, int size, int stride, int padding, bool batchNormalize = false, string activation = "logistic")
    {
        const string section = "deconvolutional";
        CheckDimension(section, "filters", filters, 1);
        CheckDimension(section, "size", size, 1);
        CheckDimension(section, "stride", stride, 1);
        CheckDimension(section, "padding", padding, 0);
        // darknet: out = (in - 1) * stride + size - 2 * padding
        var outH = CheckOutput(section, "height", ((long)InH - 1) * stride + size - 2L * padding);
        var outW = CheckOutput(section, "width", ((long)InW - 1) * stride + size - 2L * padding);
        var layer = Add(LayerType.Deconvolutional, filters, outH, outW);
        layer.Filters = filters;
        layer.Size = size;
        layer.Stride = stride;
        layer.Padding = padding;
        layer.BatchNormalize = batchNormalize;
        layer.Activation = ActivationName(activation);
        CheckFloats(section, filters * (batchNormalize ? 4L : 1L) + (long)filters * layer.InputChannels * size * size);
        layer.Store(StoredBlock.Deconvolution(filters, layer.InputChannels, size, batchNormalize));
        return this;
    }

    public LayoutBuilder Connected(int outputs, bool batchNormalize = false, string activation = "logistic")
    {
        const string section = "connected";
        CheckDimension(section, "output", outputs, 1);
        var inputs = (long)InH * InW * InC;
        var layer = Add(LayerType.Connected, outputs, 1, 1);
        layer.Filters = outputs;
        layer.Inputs = (int)inputs;
        layer.BatchNormalize = batchNormalize;
        layer.Activation = ActivationName(activation);
        CheckFloats(section, outputs * (batchNormalize ? 4L : 1L) + outputs * inputs);
        layer.Store(StoredBlock.Connected(outputs, (int)inputs, batchNormalize));
        return this;
    }

    public LayoutBuilder BatchNorm()
    {
        var layer = Add(LayerType.BatchNorm, InC, InH, InW);
        layer.Store(StoredBlock.BatchNorm(layer.InputChannels));
        return this;
    }

    /// <summary>[route] layers=…: negative indices count back from this layer, others are absolute ([net] not counted).</summary>
    public LayoutBuilder Route(params int[] layerIndices) => Route(layerIndices, 1);

    /// <summary>
    /// AlexeyAB's route groups=/group_id=: of the concatenated channels split into <paramref name="groups"/> equal
    /// slices, keep slice <paramref name="groupId"/> (CSP blocks: groups=2 group_id=1 keeps the second half).
    /// </summary>
    public LayoutBuilder Route(int[] layerIndices, int groups, int groupId = 0)
    {
        const string section = "route";
        if (layerIndices == null || layerIndices.Length == 0)
            throw Bad(ErrorCodes.BadRoute, section, "needs layers=… (at least one layer)");
        CheckDimension(section, "groups", groups, 1);
        if (groupId < 0 || groupId >= groups)
            throw Bad(ErrorCodes.BadSize, section, $"group_id={groupId} must be within 0..{groups - 1} (groups={groups})");
        var sources = layerIndices.Select(i => Resolve(section, i)).ToArray();
        var first = _layers[sources[0]];
        long outC = 0;
        foreach (var source in sources)
        {
            var s = _layers[source];
            if (s.OutputHeight != first.OutputHeight || s.OutputWidth != first.OutputWidth)
                throw Bad(ErrorCodes.BadRoute, section,
                    $"layers {first.Index} ({first.OutputWidth}x{first.OutputHeight}) and {s.Index} ({s.OutputWidth}x{s.OutputHeight}) differ in size");
            outC += s.OutputChannels;
        }
        if (outC % groups != 0)
            throw Bad(ErrorCodes.BadSize, section, $"groups={groups} does not divide the {outC} routed channels");
        CheckVolume(section, first.OutputWidth, first.OutputHeight, outC / groups);
        var layer = Add(LayerType.Route, (int)(outC / groups), first.OutputHeight, first.OutputWidth);
        layer.Groups = groups;
        layer.GroupId = groupId;
        layer.Sources = sources;
        return this;
    }

    /// <summary>[shortcut] from=…: adds earlier layers' outputs to the previous one; shape unchanged, linear.</summary>
    public LayoutBuilder Shortcut(params int[] from) => Shortcut(from, "linear");

    /// <summary>
    /// [shortcut] with AlexeyAB's weights_type= (<paramref name="weights"/>) and weights_normalization=
    /// ("none", "relu" or "softmax"): a weighted shortcut stores (sources + 1) floats per feature, or per channel.
    /// </summary>
    public LayoutBuilder Shortcut(int[] from, string activation, ShortcutWeights weights = ShortcutWeights.None, string normalization = "none",
        float alpha = 1f, float beta = 1f)
    {
        const string section = "shortcut";
        if (from == null || from.Length == 0) throw Bad(ErrorCodes.BadRoute, section, "needs from=…");
        var sources = from.Select(i => Resolve(section, i)).ToArray();
        var layer = Add(LayerType.Shortcut, InC, InH, InW);
        layer.Sources = sources;
        layer.Activation = ActivationName(activation);
        layer.ShortcutWeights = weights;
        layer.Alpha = alpha;
        layer.Beta = beta;
        if (weights != ShortcutWeights.None)
        {
            if (normalization != "none" && normalization != "relu" && normalization != "softmax")
                throw new ArgumentException("weights normalization is none, relu or softmax", nameof(normalization));
            layer.WeightsNormalization = normalization;
            long perInput = weights == ShortcutWeights.PerChannel ? layer.InputChannels : 1;
            CheckFloats(section, (sources.Length + 1L) * perInput);
            layer.Store(StoredBlock.ShortcutWeights(sources.Length + 1, weights == ShortcutWeights.PerChannel ? layer.InputChannels : (int?)null));
        }
        return this;
    }

    /// <summary>AlexeyAB's [sam] from=…: the previous layer's output times layer <paramref name="from"/>'s, which must have the same shape.</summary>
    public LayoutBuilder Sam(int from, string activation = "linear")
    {
        const string section = "sam";
        var source = _layers[Resolve(section, from)];
        if (source.OutputChannels != InC || source.OutputHeight != InH || source.OutputWidth != InW)
            throw Bad(ErrorCodes.BadSize, section,
                $"layer {source.Index} ({source.OutputWidth}x{source.OutputHeight}x{source.OutputChannels}) and the previous layer ({InW}x{InH}x{InC}) differ in shape");
        var layer = Add(LayerType.Sam, InC, InH, InW);
        layer.Sources = new[] { source.Index };
        layer.Activation = ActivationName(activation);
        return this;
    }

    /// <summary>
    /// AlexeyAB's [scale_channels] from=…: layer <paramref name="from"/>'s output scaled by the previous layer's, which
    /// is 1×1 with the same channels (or, with <paramref name="scaleWh"/>, one channel of the same size).
    /// </summary>
    public LayoutBuilder ScaleChannels(int from, bool scaleWh = false, string activation = "linear")
    {
        const string section = "scale_channels";
        var source = _layers[Resolve(section, from)];
        var fits = scaleWh
            ? InC == 1 && source.OutputWidth == InW && source.OutputHeight == InH
            : InW == 1 && InH == 1 && source.OutputChannels == InC;
        if (!fits)
            throw Bad(ErrorCodes.BadSize, section, scaleWh
                ? $"scale_wh=1 needs a 1-channel previous layer of layer {source.Index}'s size ({source.OutputWidth}x{source.OutputHeight}), got {InW}x{InH}x{InC}"
                : $"needs a 1x1 previous layer with layer {source.Index}'s {source.OutputChannels} channels, got {InW}x{InH}x{InC}");
        var layer = Add(LayerType.ScaleChannels, source.OutputChannels, source.OutputHeight, source.OutputWidth);
        layer.Sources = new[] { source.Index };
        layer.ScaleWh = scaleWh;
        layer.Activation = ActivationName(activation);
        return this;
    }

    /// <summary>[upsample] stride=s: size × s; a negative stride downsamples (size ÷ |s|), as darknet does.</summary>
    public LayoutBuilder Upsample(int stride = 2, float scale = 1f)
    {
        const string section = "upsample";
        if (stride == 0 || stride < -MaxDimension || stride > MaxDimension)
            throw Bad(ErrorCodes.BadSize, section, $"stride={stride}: must be a non-zero whole number within ±{MaxDimension}");
        long outH = stride > 0 ? (long)InH * stride : InH / -stride;
        long outW = stride > 0 ? (long)InW * stride : InW / -stride;
        var layer = Add(LayerType.Upsample, InC, CheckOutput(section, "height", outH), CheckOutput(section, "width", outW));
        layer.Stride = stride;
        layer.StrideY = stride;
        layer.Scale = scale;
        return this;
    }

    /// <summary>
    /// [maxpool]: out = (in + padding − size)/stride + 1; padding defaults to size − 1 as in darknet. AlexeyAB's
    /// stride_y (<paramref name="strideY"/>) strides down differently; antialiasing= is recorded.
    /// </summary>
    public LayoutBuilder MaxPool(int size, int stride, int? padding = null, int? strideY = null, int antialiasing = 0) =>
        Pool(LayerType.MaxPool, "maxpool", size, stride, padding, strideY, antialiasing);

    /// <summary>AlexeyAB's [local_avgpool]: the windows of [maxpool] (same sizes and defaults), averaged.</summary>
    public LayoutBuilder LocalAvgPool(int size, int stride, int? padding = null, int? strideY = null) =>
        Pool(LayerType.LocalAvgPool, "local_avgpool", size, stride, padding, strideY, 0);

    private LayoutBuilder Pool(LayerType type, string section, int size, int stride, int? padding, int? strideY, int antialiasing)
    {
        CheckDimension(section, "size", size, 1);
        CheckDimension(section, "stride", stride, 1);
        var sy = CheckDimension(section, "stride_y", strideY ?? stride, 1);
        var pad = padding ?? size - 1;
        CheckDimension(section, "padding", pad, 0);
        var outH = PoolOutput(section, "height", InH, size, sy, pad);
        var outW = PoolOutput(section, "width", InW, size, stride, pad);
        var layer = Add(type, InC, outH, outW);
        layer.Size = size;
        layer.Stride = stride;
        layer.StrideY = sy;
        layer.Padding = pad;
        layer.Antialiasing = antialiasing;
        return this;
    }

    /// <summary>
    /// AlexeyAB's [maxpool] maxpool_depth=1: a max over the channels down to <paramref name="outChannels"/> (out_channels=);
    /// width and height are kept (size, stride and padding are recorded, as darknet ignores them for the shape).
    /// </summary>
    public LayoutBuilder MaxPoolDepth(int outChannels, int size = 1, int stride = 1, int? padding = null)
    {
        const string section = "maxpool";
        CheckDimension(section, "out_channels", outChannels, 1);
        CheckDimension(section, "size", size, 1);
        CheckDimension(section, "stride", stride, 1);
        var pad = padding ?? size - 1;
        CheckDimension(section, "padding", pad, 0);
        var layer = Add(LayerType.MaxPool, outChannels, InH, InW);
        layer.MaxPoolDepth = true;
        layer.Size = size;
        layer.Stride = stride;
        layer.StrideY = stride;
        layer.Padding = pad;
        return this;
    }

    public LayoutBuilder AvgPool()
    {
        Add(LayerType.AvgPool, InC, 1, 1);
        return this;
    }

    /// <summary>
    /// [reorg] stride=s: channels × s², size ÷ s (reverse=1: the other way round). pjreddie's flatten= and extra= are
    /// recorded (extra makes the output a flat vector darknet cannot follow as an image; the cfg reader refuses it).
    /// </summary>
    public LayoutBuilder Reorg(int stride, bool reverse = false, bool flatten = false) => SpaceToDepth(LayerType.Reorg, "reorg", stride, reverse, flatten);

    /// <summary>AlexeyAB's [reorg3d] stride=s: the shapes of [reorg], with the values placed as space to depth.</summary>
    public LayoutBuilder Reorg3d(int stride, bool reverse = false) => SpaceToDepth(LayerType.Reorg3d, "reorg3d", stride, reverse, false);

    private LayoutBuilder SpaceToDepth(LayerType type, string section, int stride, bool reverse, bool flatten)
    {
        CheckDimension(section, "stride", stride, 1);
        long square = (long)stride * stride;
        LayerInfo layer;
        if (!reverse)
        {
            var outC = InC * square;
            CheckVolume(section, InW / stride, InH / stride, outC);
            layer = Add(type, (int)outC, CheckOutput(section, "height", InH / stride), CheckOutput(section, "width", InW / stride));
        }
        else
        {
            if (InC % square != 0)
                throw Bad(ErrorCodes.BadSize, section, $"reverse with stride={stride} needs channels divisible by {square}, got {InC}");
            layer = Add(type, (int)(InC / square),
                CheckOutput(section, "height", (long)InH * stride), CheckOutput(section, "width", (long)InW * stride));
        }
        layer.Stride = stride;
        layer.StrideY = stride;
        layer.Reverse = reverse;
        layer.Flatten = flatten;
        return this;
    }

    /// <summary>
    /// [crop]: a <paramref name="width"/> × <paramref name="height"/> window of the input (at inference its centre),
    /// values mapped from [0, 1] to [−1, 1] unless <paramref name="noAdjust"/>.
    /// </summary>
    public LayoutBuilder Crop(int width, int height, bool noAdjust = false)
    {
        const string section = "crop";
        CheckDimension(section, "crop_width", width, 1);
        CheckDimension(section, "crop_height", height, 1);
        if (width > InW || height > InH)
            throw Bad(ErrorCodes.BadSize, section, $"crop_width={width} crop_height={height} is larger than its {InW}x{InH} input");
        Add(LayerType.Crop, InC, height, width).NoAdjust = noAdjust;
        return this;
    }

    /// <summary>
    /// [crnn]: three convolutions of <paramref name="size"/> (input: channels → <paramref name="hidden"/>; self: hidden →
    /// hidden; output: hidden → <paramref name="output"/>), stored in that order, each as a convolution is.
    /// </summary>
    public LayoutBuilder Crnn(int output, int hidden, int size = 3, int stride = 1, int padding = 0, int groups = 1,
        bool batchNormalize = false, string activation = "logistic", bool xnor = false)
    {
        const string section = "crnn";
        CheckDimension(section, "output", output, 1);
        CheckDimension(section, "hidden", hidden, 1);
        CheckDimension(section, "size", size, 1);
        CheckDimension(section, "stride", stride, 1);
        CheckDimension(section, "padding", padding, 0);
        CheckDimension(section, "groups", groups, 1);
        if (InC % groups != 0 || hidden % groups != 0 || output % groups != 0)
            throw Bad(ErrorCodes.BadSize, section, $"groups={groups} must divide the {InC} input channels, hidden={hidden} and output={output}");
        // darknet asserts that the input convolution's output is the self convolution's input: only a size-keeping kernel.
        var outH = ConvOutput(section, "height", InH, size, stride, padding);
        var outW = ConvOutput(section, "width", InW, size, stride, padding);
        if (outH != InH || outW != InW)
            throw Bad(ErrorCodes.BadSize, section, $"size={size} stride={stride} padding={padding} changes the {InW}x{InH} size, which darknet's recurrent state cannot follow");
        var layer = Add(LayerType.Crnn, output, outH, outW);
        layer.Filters = output;
        layer.Hidden = hidden;
        layer.Size = size;
        layer.Stride = stride;
        layer.StrideY = stride;
        layer.Padding = padding;
        layer.Groups = groups;
        layer.BatchNormalize = batchNormalize;
        layer.Activation = ActivationName(activation);
        layer.Xnor = xnor;
        long kk = (long)size * size;
        CheckFloats(section, hidden * (batchNormalize ? 4L : 1L) * 2 + output * (batchNormalize ? 4L : 1L)
            + kk * hidden * (InC / groups) + kk * hidden * (hidden / groups) + kk * output * (hidden / groups));
        layer.Store(
            StoredBlock.Convolution(hidden, layer.InputChannels, groups, size, batchNormalize, role: "input"),
            StoredBlock.Convolution(hidden, hidden, groups, size, batchNormalize, role: "self"),
            StoredBlock.Convolution(output, hidden, groups, size, batchNormalize, role: "output"));
        return this;
    }

    /// <summary>[yolo] with its head (classes, anchors, mask, scale_x_y, new_coords); the shape passes through.</summary>
    public LayoutBuilder Yolo(DetectionHead head) => Head(LayerType.Yolo, head);

    /// <summary>AlexeyAB's [Gaussian_yolo]: a [yolo] head whose anchors each predict 4 means, 4 uncertainties, objectness and classes.</summary>
    public LayoutBuilder GaussianYolo(DetectionHead head) => Head(LayerType.GaussianYolo, head);

    /// <summary>[region] with its head (classes, anchors, coords, softmax); the shape passes through.</summary>
    public LayoutBuilder Region(DetectionHead head) => Head(LayerType.Region, head);

    /// <summary>AlexeyAB's [contrastive] over the [yolo] layer <paramref name="yoloLayer"/> (negative: relative); the shape passes through.</summary>
    public LayoutBuilder Contrastive(int yoloLayer)
    {
        const string section = "contrastive";
        var source = _layers[Resolve(section, yoloLayer)];
        if (source.Type != LayerType.Yolo)
            throw Bad(ErrorCodes.BadRoute, section, $"yolo_layer={yoloLayer} points at layer {source.Index} ([{source.SectionName}]), which is not a [yolo] layer");
        Add(LayerType.Contrastive, InC, InH, InW).Sources = new[] { source.Index };
        return this;
    }

    /// <summary>[detection] (YOLOv1) with its head (classes, coords, num, side, softmax); the shape passes through.</summary>
    public LayoutBuilder Detection(DetectionHead head) => Head(LayerType.Detection, head);

    /// <summary>[softmax] over each of <paramref name="groups"/> runs of the flattened input, of input / <paramref name="temperature"/>.</summary>
    public LayoutBuilder Softmax(int groups = 1, float temperature = 1f)
    {
        CheckDimension("softmax", "groups", groups, 1);
        var layer = Add(LayerType.Softmax, InC, InH, InW);
        layer.Groups = groups;
        layer.Temperature = temperature;
        return this;
    }

    public LayoutBuilder Cost() => PassThrough(LayerType.Cost);

    public LayoutBuilder Dropout() => PassThrough(LayerType.Dropout);

    public NetworkLayout Build()
    {
        if (_layers.Count == 0)
            throw new DarknetException(ErrorCodes.MalformedCfg, $"{Where(Line)}: the network has no layers after [net]");
        return new NetworkLayout(_layers.ToArray(), _width, _height, _channels, _sourceName);
    }

    private LayoutBuilder Head(LayerType type, DetectionHead head)
    {
        Add(type, InC, InH, InW).Head = head ?? throw new ArgumentNullException(nameof(head));
        return this;
    }

    private LayoutBuilder PassThrough(LayerType type)
    {
        Add(type, InC, InH, InW);
        return this;
    }

    private LayerInfo Add(LayerType type, long outC, long outH, long outW)
    {
        var layer = new LayerInfo(_layers.Count, type, Line)
        {
            InputChannels = InC,
            InputHeight = InH,
            InputWidth = InW,
        };
        CheckVolume(layer.SectionName, outW, outH, outC);
        layer.OutputChannels = (int)outC;
        layer.OutputHeight = (int)outH;
        layer.OutputWidth = (int)outW;
        _layers.Add(layer);
        return layer;
    }

    /// <summary>The layer added last: the cfg reader records the lines of its options on it.</summary>
    internal LayerInfo Last => _layers[_layers.Count - 1];

    /// <summary>Resolves a layer index the way share_index= does (absolute when ≥ 0, else relative) for a layer just added.</summary>
    private LayerInfo ResolveBefore(LayerInfo added, string section, string key, int index)
    {
        var absolute = index < 0 ? (long)added.Index + index : index;
        if (absolute < 0 || absolute >= added.Index)
        {
            _layers.RemoveAt(_layers.Count - 1);
            throw Bad(ErrorCodes.BadRoute, section,
                $"{key}={index} resolves to {absolute}, but only layers 0..{added.Index - 1} come before this one (layer {added.Index})");
        }
        return _layers[(int)absolute];
    }

    // Kept as written: darknet compares activation names case-sensitively ("LEAKY" is no leaky to it).
    private static string ActivationName(string activation) =>
        string.IsNullOrEmpty(activation) ? throw new ArgumentException("an activation name is required", nameof(activation)) : activation;

    private int Resolve(string section, int index)
    {
        var current = _layers.Count;
        var absolute = index < 0 ? (long)current + index : index;
        if (absolute < 0 || absolute >= current)
            throw Bad(ErrorCodes.BadRoute, section,
                $"layer {index} resolves to {absolute}, but only layers 0..{current - 1} come before this one (layer {current})");
        return (int)absolute;
    }

    private int ConvOutput(string section, string what, int input, int size, int stride, int padding)
    {
        var span = (long)input + 2L * padding - size;
        if (span < 0)
            throw Bad(ErrorCodes.BadSize, section, $"size={size} is larger than the padded input {what} ({input} + 2·{padding})");
        return CheckOutput(section, what, span / stride + 1);
    }

    private int PoolOutput(string section, string what, int input, int size, int stride, int padding)
    {
        var span = (long)input + padding - size;
        if (span < 0)
            throw Bad(ErrorCodes.BadSize, section, $"size={size} is larger than the padded input {what} ({input} + {padding})");
        return CheckOutput(section, what, span / stride + 1);
    }

    private int CheckOutput(string section, string what, long value)
    {
        if (value < 1 || value > MaxDimension)
            throw Bad(ErrorCodes.BadSize, section, $"output {what} would be {value} (input {InW}x{InH}x{InC}); it must be within 1..{MaxDimension}");
        return (int)value;
    }

    private void CheckVolume(string section, long w, long h, long c)
    {
        if (c < 1 || c > MaxDimension)
            throw Bad(ErrorCodes.BadSize, section, $"output channels would be {c}; they must be within 1..{MaxDimension}");
        if (w * h * c > MaxLayerFloats)
            throw Bad(ErrorCodes.BadSize, section, $"output {w}x{h}x{c} holds more than {MaxLayerFloats} values");
    }

    // Called once the layer is added (its input shape is known); a refused layer is taken back out.
    private long CheckFloats(string section, long floats)
    {
        if (floats <= MaxLayerFloats) return floats;
        var layer = _layers[_layers.Count - 1];
        _layers.RemoveAt(_layers.Count - 1);
        throw Bad(ErrorCodes.BadSize, section,
            $"would need {floats} floats, more than {MaxLayerFloats} for one layer (input {layer.InputWidth}x{layer.InputHeight}x{layer.InputChannels})");
    }

    private int CheckDimension(string section, string key, int value, int min)
    {
        if (value < min || value > MaxDimension)
            throw Bad(ErrorCodes.BadSize, section, $"{key}={value}: must be within {min}..{MaxDimension}");
        return value;
    }

    private DarknetException Bad(string code, string section, string what) =>
        new DarknetException(code, $"{Where(Line)}: [{section}] {what}");

    private string Where(int line) => Config.CfgReader.Where(_sourceName, line);
}
