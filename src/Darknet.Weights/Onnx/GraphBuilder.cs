using System;
using System.Collections.Generic;
using System.Globalization;
using Darknet.Weights.Config;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Onnx
{
    /// <summary>
    /// cfg sections -> ONNX graph computing what darknet's forward pass computes at inference, layer by layer (each
    /// darknet layer i ends in a tensor named <c>kind_i</c>, e.g. conv_0, yolo_82). Shapes are followed as darknet
    /// follows them for the [net] size; the graph itself keeps batch, height and width symbolic unless a [connected]
    /// layer fixes them. Anything it cannot reproduce exactly is refused with DKN1005 naming the section and option.
    /// </summary>
    internal sealed class GraphBuilder
    {
        private readonly OnnxGraph _graph = new OnnxGraph();
        private readonly Dictionary<string, string> _constantNames = new Dictionary<string, string>();
        private readonly List<LayerOutput> _layers = new List<LayerOutput>();
        private readonly List<int> _detectionLayers = new List<int>();
        private CfgSection _section = null!;
        private int _index;

        private sealed class LayerOutput
        {
            public LayerOutput(string tensor, int c, int h, int w, bool counts = true)
            {
                Tensor = tensor;
                C = c;
                H = h;
                W = w;
                Counts = counts;
            }

            public string Tensor { get; }

            public int C { get; }

            public int H { get; }

            public int W { get; }

            /// <summary>False for [cost]: darknet's network output is the last layer that is not a cost layer.</summary>
            public bool Counts { get; }
        }

        public static OnnxGraph Build(IReadOnlyList<CfgSection> sections, string sourceName)
        {
            if (sections.Count < 2 || !SectionNames.IsNetwork(sections[0].Name))
                throw new DarknetException(ErrorCodes.MalformedCfg, $"{sourceName}: a cfg starts with [net] and has at least one layer");
            return new GraphBuilder().Run(sections);
        }

        private OnnxGraph Run(IReadOnlyList<CfgSection> sections)
        {
            var net = sections[0];
            _section = net;
            int width = net.GetInt("width", 0), height = net.GetInt("height", 0), channels = net.GetInt("channels", 3);
            if (width <= 0 || height <= 0 || channels <= 0)
                throw Unsupported("only image inputs (width, height and channels in [net]) can be exported");
            bool fixedSize = false;
            for (int i = 1; i < sections.Count; i++)
                if (SectionNames.TryGetLayerType(sections[i].Name, out var t) && t == LayerType.Connected) fixedSize = true;

            var input = new LayerOutput("input", channels, height, width);
            _graph.Input = new ValueInfo("input", new object[] { "N", (long)channels, fixedSize ? (object)(long)height : "H", fixedSize ? (object)(long)width : "W" });

            for (int i = 1; i < sections.Count; i++)
            {
                _section = sections[i];
                _index = i - 1;
                var previous = _index == 0 ? input : _layers[_index - 1];
                _layers.Add(AddLayer(previous));
            }

            if (_detectionLayers.Count > 0)
            {
                foreach (var index in _detectionLayers) AddOutput(_layers[index], fixedSize);
            }
            else
            {
                int last = _layers.Count - 1;
                while (last > 0 && !_layers[last].Counts) last--;
                AddOutput(_layers[last], fixedSize);
            }
            return _graph;
        }

        private void AddOutput(LayerOutput layer, bool fixedSize)
        {
            object Dim(int value, string axis) => fixedSize ? (object)(long)value : layer.Tensor + "_" + axis;
            _graph.Outputs.Add(new ValueInfo(layer.Tensor, new object[] { "N", (long)layer.C, Dim(layer.H, "h"), Dim(layer.W, "w") }));
        }

        private LayerOutput AddLayer(LayerOutput previous)
        {
            var name = _section.Name.ToLowerInvariant();
            if (name == "scale_channels") return ScaleChannels(previous);
            if (name == "sam") return Sam(previous);
            if (!SectionNames.TryGetLayerType(name, out var type))
            {
                if (SectionNames.IsKnownButUnsupported(name))
                    throw new DarknetException(ErrorCodes.UnsupportedLayer, $"{_section.Where(_section.Line)}: [{_section.Name}] layers cannot be exported to ONNX");
                throw new DarknetException(ErrorCodes.UnknownSection, $"{_section.Where(_section.Line)}: unknown section [{CfgReader.Quote(_section.Name)}]");
            }
            switch (type)
            {
                case LayerType.Convolutional: return Convolutional(previous);
                case LayerType.Connected: return Connected(previous);
                case LayerType.BatchNorm: return BatchNorm(previous);
                case LayerType.MaxPool: return MaxPool(previous);
                case LayerType.AvgPool: return AvgPool(previous);
                case LayerType.Route: return Route();
                case LayerType.Shortcut: return Shortcut(previous);
                case LayerType.Upsample: return Upsample(previous);
                case LayerType.Reorg: return Reorg(previous);
                case LayerType.Yolo: return Yolo(previous);
                case LayerType.Region: return Region(previous);
                case LayerType.Softmax: return Softmax(previous);
                case LayerType.Dropout:
                    Node("Identity", LayerName("dropout"), previous.Tensor);
                    return new LayerOutput(LayerName("dropout"), previous.C, previous.H, previous.W);
                case LayerType.Cost:
                    Node("Identity", LayerName("cost"), previous.Tensor);
                    return new LayerOutput(LayerName("cost"), previous.C, previous.H, previous.W, counts: false);
                default:
                    throw new DarknetException(ErrorCodes.UnsupportedLayer, $"{_section.Where(_section.Line)}: [{_section.Name}] layers cannot be exported to ONNX");
            }
        }

        private LayerOutput Convolutional(LayerOutput x)
        {
            RefuseUnless("flipped", 0); // darknet then reads the weights transposed, (c·k·k, n)
            RefuseUnless("binary", 0);
            RefuseUnless("xnor", 0);
            RefuseUnless("dilation", 1);
            RefuseUnless("antialiasing", 0);
            RefuseIfPresent("share_index");
            int filters = _section.GetInt("filters", 1), size = _section.GetInt("size", 1), stride = _section.GetInt("stride", 1);
            RefuseUnless("stride_x", stride);
            RefuseUnless("stride_y", stride);
            int groups = _section.GetInt("groups", 1);
            int pad = _section.GetInt("pad", 0) != 0 ? size / 2 : _section.GetInt("padding", 0);
            if (filters < 1 || size < 1 || stride < 1 || groups < 1 || x.C % groups != 0 || filters % groups != 0)
                throw Unsupported($"filters={filters} size={size} stride={stride} groups={groups} on {x.C} input channels cannot be exported");
            var name = LayerName("conv");
            var weights = name + "/W";
            var bias = name + "/B";
            _graph.WeightSlots.Add(new WeightSlot(WeightKind.Convolutional, Describe(), weights, new long[] { filters, x.C / groups, size, size }, bias, new long[] { filters }));
            var conv = Node("Conv", name + "/conv", x.Tensor, weights, bias);
            conv.Attributes.Add(OnnxAttribute.Ints("kernel_shape", size, size));
            conv.Attributes.Add(OnnxAttribute.Ints("strides", stride, stride));
            conv.Attributes.Add(OnnxAttribute.Ints("pads", pad, pad, pad, pad));
            conv.Attributes.Add(OnnxAttribute.Int("group", groups));
            Activate(_section.GetString("activation") ?? "logistic", conv.Outputs[0], name);
            return new LayerOutput(name, filters, (x.H + 2 * pad - size) / stride + 1, (x.W + 2 * pad - size) / stride + 1);
        }

        private LayerOutput Connected(LayerOutput x)
        {
            int outputs = _section.GetInt("output", 1);
            int inputs = x.C * x.H * x.W;
            var name = LayerName("fc");
            var weights = name + "/W";
            var bias = name + "/B";
            _graph.WeightSlots.Add(new WeightSlot(WeightKind.Connected, Describe(), weights, new long[] { inputs, outputs }, bias, new long[] { outputs }));
            var flat = Node("Flatten", name + "/flat", x.Tensor);
            flat.Attributes.Add(OnnxAttribute.Int("axis", 1));
            var gemm = Node("Gemm", name + "/gemm", flat.Outputs[0], weights, bias);
            var shaped = Node("Reshape", name + "/nchw", gemm.Outputs[0], Ints(0, outputs, 1, 1));
            Activate(_section.GetString("activation") ?? "logistic", shaped.Outputs[0], name);
            return new LayerOutput(name, outputs, 1, 1);
        }

        private LayerOutput BatchNorm(LayerOutput x)
        {
            var name = LayerName("bn");
            var scale = name + "/scale";
            var shift = name + "/shift";
            _graph.WeightSlots.Add(new WeightSlot(WeightKind.BatchNorm, Describe(), scale, new long[] { x.C, 1, 1 }, shift, new long[] { x.C, 1, 1 }));
            Node("Add", name, Node("Mul", name + "/mul", x.Tensor, scale).Outputs[0], shift);
            return new LayerOutput(name, x.C, x.H, x.W);
        }

        private LayerOutput MaxPool(LayerOutput x)
        {
            RefuseUnless("maxpool_depth", 0);
            RefuseUnless("antialiasing", 0);
            RefuseIfPresent("out_channels");
            int stride = _section.GetInt("stride", 1);
            RefuseUnless("stride_x", stride);
            RefuseUnless("stride_y", stride);
            int size = _section.GetInt("size", stride);
            int padding = _section.GetInt("padding", size - 1);
            // darknet starts the window at -padding/2 and sizes the output (w + padding - size)/stride + 1: the padding
            // is split padding/2 before, the rest after (yolov3-tiny's size-2 stride-1 pool pads one column on the right).
            int before = padding / 2, after = padding - before;
            if (size < 1 || stride < 1 || before < 0 || after >= size)
                throw Unsupported($"size={size} stride={stride} padding={padding} cannot be exported (ONNX pads must be smaller than the window)");
            var name = LayerName("maxpool");
            var pool = Node("MaxPool", name, x.Tensor);
            pool.Attributes.Add(OnnxAttribute.Ints("kernel_shape", size, size));
            pool.Attributes.Add(OnnxAttribute.Ints("strides", stride, stride));
            pool.Attributes.Add(OnnxAttribute.Ints("pads", before, before, after, after));
            return new LayerOutput(name, x.C, (x.H + padding - size) / stride + 1, (x.W + padding - size) / stride + 1);
        }

        private LayerOutput AvgPool(LayerOutput x)
        {
            var name = LayerName("avgpool");
            Node("GlobalAveragePool", name, x.Tensor);
            return new LayerOutput(name, x.C, 1, 1);
        }

        private LayerOutput Route()
        {
            var option = _section.Find("layers") ?? throw new DarknetException(ErrorCodes.BadRoute, $"{_section.Where(_section.Line)}: [route] needs layers=");
            var sources = _section.GetIntList("layers")!;
            int groups = _section.GetInt("groups", 1), groupId = _section.GetInt("group_id", 0);
            if (groups < 1 || groupId < 0 || groupId >= groups)
                throw Unsupported($"groups={groups} group_id={groupId} cannot be exported");
            var name = LayerName("route");
            var parts = new List<string>();
            int channels = 0;
            LayerOutput? first = null;
            foreach (var relative in sources)
            {
                var source = Source(relative, option);
                if (source.C % groups != 0)
                    throw new DarknetException(ErrorCodes.BadRoute, $"{_section.Where(option.Line)}: [route] cannot split {source.C} channels into {groups} groups");
                if (first == null) first = source;
                else if (source.H != first.H || source.W != first.W)
                    throw new DarknetException(ErrorCodes.BadRoute, $"{_section.Where(option.Line)}: [route] joins layers of different sizes ({first.W}x{first.H} and {source.W}x{source.H})");
                int part = source.C / groups;
                parts.Add(groups == 1 ? source.Tensor : SliceChannels(name + "/part" + parts.Count, source.Tensor, part * groupId, part * (groupId + 1)));
                channels += part;
            }
            if (parts.Count == 1) Node("Identity", name, parts[0]);
            else Node("Concat", name, parts.ToArray()).Attributes.Add(OnnxAttribute.Int("axis", 1));
            return new LayerOutput(name, channels, first!.H, first.W);
        }

        // darknet's shortcut adds the first min(c1, c2) channels of the `from` layer, scaled by beta, to the previous layer's
        // output scaled by alpha; the previous layer's further channels pass unchanged. Then the activation.
        private LayerOutput Shortcut(LayerOutput x)
        {
            var option = _section.Find("from") ?? throw Unsupported("[shortcut] needs from=");
            var froms = _section.GetIntList("from")!;
            if (froms.Length != 1) throw Unsupported("from= with several layers (AlexeyAB's multi-input shortcut) cannot be exported");
            var weightsType = _section.GetString("weights_type");
            if (weightsType != null && !string.Equals(weightsType, "none", StringComparison.OrdinalIgnoreCase))
                throw Unsupported($"weights_type={weightsType} (weighted shortcut) cannot be exported");
            var from = Source(froms[0], option);
            // A larger `from` layer (resnet's projection-free downsampling) is read at every stride-th pixel, as shortcut_cpu does.
            int stride = x.W > 0 ? from.W / x.W : 0;
            if (stride < 1 || from.H != x.H * stride || from.W != x.W * stride)
                throw Unsupported($"a shortcut from a {from.W}x{from.H} layer onto {x.W}x{x.H} cannot be exported (only the same size or a whole multiple)");
            float alpha = GetFloat("alpha", 1f), beta = GetFloat("beta", 1f);
            var name = LayerName("shortcut");
            int common = Math.Min(x.C, from.C);
            string added = from.Tensor;
            if (stride > 1)
                added = Node("Slice", name + "/strided", added, Ints(0, 0), Ints(int.MaxValue, int.MaxValue), Ints(2, 3), Ints(stride, stride)).Outputs[0];
            if (from.C > common) added = SliceChannels(name + "/from", added, 0, common);
            if (beta != 1f) added = Node("Mul", name + "/beta", added, Scalar(beta)).Outputs[0];
            string kept = x.C > common ? SliceChannels(name + "/head", x.Tensor, 0, common) : x.Tensor;
            if (alpha != 1f) kept = Node("Mul", name + "/alpha", kept, Scalar(alpha)).Outputs[0];
            string sum = Node("Add", name + "/sum", kept, added).Outputs[0];
            if (x.C > common)
                sum = Node("Concat", name + "/all", sum, SliceChannels(name + "/tail", x.Tensor, common, x.C)).WithAttribute(OnnxAttribute.Int("axis", 1)).Outputs[0];
            Activate(_section.GetString("activation") ?? "linear", sum, name);
            return new LayerOutput(name, x.C, x.H, x.W);
        }

        private LayerOutput Upsample(LayerOutput x)
        {
            int stride = _section.GetInt("stride", 2);
            if (stride < 1) throw Unsupported($"stride={stride} (downsampling) cannot be exported");
            float scale = GetFloat("scale", 1f);
            var name = LayerName("upsample");
            var output = scale == 1f ? name : name + "/resize";
            var resize = Node("Resize", output, x.Tensor, "", Floats(1f, 1f, stride, stride));
            resize.Attributes.Add(OnnxAttribute.String("mode", "nearest"));
            resize.Attributes.Add(OnnxAttribute.String("coordinate_transformation_mode", "asymmetric"));
            resize.Attributes.Add(OnnxAttribute.String("nearest_mode", "floor"));
            if (scale != 1f) Node("Mul", name, output, Scalar(scale));
            return new LayerOutput(name, x.C, x.H * stride, x.W * stride);
        }

        // pjreddie's reorg (reorg_cpu with forward = 0) reads its input as if it had c/s² channels of (h·s, w·s) and writes
        // c channels of (h, w), which the next layer takes as c·s² channels of (h/s, w/s). In tensor terms: view the input
        // as (n, c/s², h, s, w, s), move the two s axes to the front of the channels, and view the result as the output.
        private LayerOutput Reorg(LayerOutput x)
        {
            RefuseUnless("reverse", 0);
            RefuseUnless("flatten", 0);
            RefuseUnless("extra", 0);
            int s = _section.GetInt("stride", 1);
            if (s < 1 || x.C % (s * s) != 0 || x.H % s != 0 || x.W % s != 0)
                throw Unsupported($"stride={s} on {x.C}x{x.H}x{x.W} cannot be exported");
            var name = LayerName("reorg");
            var shape = Node("Shape", name + "/shape", x.Tensor).Outputs[0];
            var h = Node("Slice", name + "/h", shape, Ints(2), Ints(3)).Outputs[0];
            var w = Node("Slice", name + "/w", shape, Ints(3), Ints(4)).Outputs[0];
            var viewShape = Node("Concat", name + "/view_shape", Ints(0, x.C / (s * s)), h, Ints(s), w, Ints(s)).WithAttribute(OnnxAttribute.Int("axis", 0)).Outputs[0];
            var view = Node("Reshape", name + "/view", x.Tensor, viewShape).Outputs[0];
            var moved = Node("Transpose", name + "/moved", view).WithAttribute(OnnxAttribute.Ints("perm", 0, 3, 5, 1, 2, 4)).Outputs[0];
            var outH = Node("Div", name + "/out_h", h, Ints(s)).Outputs[0];
            var outW = Node("Div", name + "/out_w", w, Ints(s)).Outputs[0];
            var outShape = Node("Concat", name + "/out_shape", Ints(0, x.C * s * s), outH, outW).WithAttribute(OnnxAttribute.Int("axis", 0)).Outputs[0];
            Node("Reshape", name, moved, outShape);
            return new LayerOutput(name, x.C * s * s, x.H / s, x.W / s);
        }

        // forward_yolo_layer: per anchor, logistic on x, y and on objectness + classes; w, h stay raw. AlexeyAB's
        // scale_x_y then maps x, y to x·s − (s − 1)/2, and new_coords=1 skips the logistic (the conv already applied it).
        private LayerOutput Yolo(LayerOutput x)
        {
            int classes = _section.GetInt("classes", 20);
            int total = _section.GetInt("num", 1);
            var mask = _section.GetIntList("mask");
            int anchors = mask?.Length ?? total;
            bool newCoords = _section.GetInt("new_coords", 0) != 0;
            float scaleXY = GetFloat("scale_x_y", 1f);
            int entries = 4 + 1 + classes;
            if (x.C != anchors * entries)
                throw Unsupported($"the layer before has {x.C} channels, but {anchors} anchors x (5 + {classes} classes) need {anchors * entries}");
            var name = LayerName("yolo");
            string[] Parts(string v)
            {
                var xy = Entries(name + "/xy", v, 0, 2);
                var wh = Entries(name + "/wh", v, 2, 4);
                var rest = Entries(name + "/rest", v, 4, entries);
                if (!newCoords)
                {
                    xy = Node("Sigmoid", name + "/xy_logistic", xy).Outputs[0];
                    rest = Node("Sigmoid", name + "/rest_logistic", rest).Outputs[0];
                }
                if (scaleXY != 1f)
                    xy = Node("Add", name + "/xy_shift", Node("Mul", name + "/xy_scale", xy, Scalar(scaleXY)).Outputs[0], Scalar(-0.5f * (scaleXY - 1f))).Outputs[0];
                return new[] { xy, wh, rest };
            }
            PerAnchor(name, x, anchors, entries, Parts);
            _detectionLayers.Add(_index);
            return new LayerOutput(name, x.C, x.H, x.W);
        }

        // forward_region_layer: per anchor, logistic on x, y and on objectness; the classes get a softmax (softmax=1,
        // over the class channels at each cell) or a logistic each.
        private LayerOutput Region(LayerOutput x)
        {
            int classes = _section.GetInt("classes", 20), coords = _section.GetInt("coords", 4), anchors = _section.GetInt("num", 1);
            bool softmax = _section.GetInt("softmax", 0) != 0;
            RefuseUnless("background", 0);
            RefuseIfPresent("tree");
            if (coords < 2) throw Unsupported($"coords={coords} cannot be exported");
            int entries = coords + 1 + classes;
            if (x.C != anchors * entries)
                throw Unsupported($"the layer before has {x.C} channels, but {anchors} anchors x ({coords} + 1 + {classes} classes) need {anchors * entries}");
            var name = LayerName("region");
            string[] Parts(string v)
            {
                var parts = new List<string> { Node("Sigmoid", name + "/xy_logistic", Entries(name + "/xy", v, 0, 2)).Outputs[0] };
                if (coords > 2) parts.Add(Entries(name + "/wh", v, 2, coords));
                parts.Add(Node("Sigmoid", name + "/objectness_logistic", Entries(name + "/objectness", v, coords, coords + 1)).Outputs[0]);
                if (classes > 0)
                {
                    var classScores = Entries(name + "/classes", v, coords + 1, entries);
                    parts.Add(softmax
                        ? Node("Softmax", name + "/classes_softmax", classScores).WithAttribute(OnnxAttribute.Int("axis", 2)).Outputs[0]
                        : Node("Sigmoid", name + "/classes_logistic", classScores).Outputs[0]);
                }
                return parts.ToArray();
            }
            PerAnchor(name, x, anchors, entries, Parts);
            _detectionLayers.Add(_index);
            return new LayerOutput(name, x.C, x.H, x.W);
        }

        // Views (n, anchors·entries, h, w) as (n, anchors, entries, h·w), transforms entry ranges, and views it back.
        private void PerAnchor(string name, LayerOutput x, int anchors, int entries, Func<string, string[]> transform)
        {
            var view = Node("Reshape", name + "/anchors", x.Tensor, Ints(0, anchors, entries, -1)).Outputs[0];
            var joined = Node("Concat", name + "/joined", transform(view)).WithAttribute(OnnxAttribute.Int("axis", 2)).Outputs[0];
            Node("Reshape", name, joined, Node("Shape", name + "/shape", x.Tensor).Outputs[0]);
        }

        private string Entries(string output, string view, int start, int end) =>
            Node("Slice", output, view, Ints(start), Ints(end), Ints(2)).Outputs[0];

        // forward_softmax_layer: a softmax over each of `groups` equal runs of the flattened c·h·w values, of input / temperature.
        private LayerOutput Softmax(LayerOutput x)
        {
            RefuseIfPresent("tree");
            int groups = _section.GetInt("groups", 1);
            if (groups < 1 || (x.C * x.H * x.W) % groups != 0) throw Unsupported($"groups={groups} cannot be exported");
            float temperature = GetFloat("temperature", 1f);
            var name = LayerName("softmax");
            var grouped = Node("Reshape", name + "/groups", x.Tensor, Ints(0, groups, -1)).Outputs[0];
            if (temperature != 1f) grouped = Node("Div", name + "/temperature", grouped, Scalar(temperature)).Outputs[0];
            var soft = Node("Softmax", name + "/softmax", grouped).WithAttribute(OnnxAttribute.Int("axis", 2)).Outputs[0];
            Node("Reshape", name, soft, Node("Shape", name + "/shape", x.Tensor).Outputs[0]);
            return new LayerOutput(name, x.C, x.H, x.W);
        }

        // AlexeyAB's [scale_channels]: the `from` layer's output times the previous layer's (c, 1, 1) output, per channel.
        private LayerOutput ScaleChannels(LayerOutput x)
        {
            RefuseUnless("scale_wh", 0);
            var option = _section.Find("from") ?? throw Unsupported("[scale_channels] needs from=");
            var from = Source(_section.GetInt("from", 0), option);
            if (x.C != from.C || x.H != 1 || x.W != 1)
                throw Unsupported($"scaling {from.C} channels by a {x.C}x{x.H}x{x.W} layer cannot be exported");
            var name = LayerName("scale_channels");
            var product = Node("Mul", name + "/mul", from.Tensor, x.Tensor).Outputs[0];
            Activate(_section.GetString("activation") ?? "linear", product, name);
            return new LayerOutput(name, from.C, from.H, from.W);
        }

        // AlexeyAB's [sam]: the `from` layer's output times the previous layer's output, element by element.
        private LayerOutput Sam(LayerOutput x)
        {
            var option = _section.Find("from") ?? throw Unsupported("[sam] needs from=");
            var from = Source(_section.GetInt("from", 0), option);
            if (x.C != from.C || x.H != from.H || x.W != from.W)
                throw Unsupported($"multiplying {from.C}x{from.H}x{from.W} by {x.C}x{x.H}x{x.W} cannot be exported");
            var name = LayerName("sam");
            var product = Node("Mul", name + "/mul", from.Tensor, x.Tensor).Outputs[0];
            Activate(_section.GetString("activation") ?? "linear", product, name);
            return new LayerOutput(name, from.C, from.H, from.W);
        }

        private void Activate(string activation, string input, string output) =>
            Activations.Apply(this, activation, input, output, what => Unsupported(what, _section.Find("activation")?.Line ?? 0));

        private LayerOutput Source(int index, CfgOption option)
        {
            int absolute = index < 0 ? _index + index : index;
            if (absolute < 0 || absolute >= _index)
                throw new DarknetException(ErrorCodes.BadRoute, $"{_section.Where(option.Line)}: [{_section.Name}] {option.Key}={option.Value} points at layer {absolute}, outside 0..{_index - 1}");
            return _layers[absolute];
        }

        private string SliceChannels(string output, string input, int start, int end) =>
            Node("Slice", output, input, Ints(start), Ints(end), Ints(1)).Outputs[0];

        private string LayerName(string kind) => kind + "_" + _index.ToString(CultureInfo.InvariantCulture);

        private string Describe() => $"layer {_index} ([{_section.Name}] at {_section.Where(_section.Line)})";

        public OnnxNode Node(string opType, string output, params string[] inputs)
        {
            var node = new OnnxNode(opType, output, inputs, new[] { output });
            _graph.Nodes.Add(node);
            return node;
        }

        public string Scalar(float value) => Constant(new long[0], new[] { value }, null);

        private string Floats(params float[] values) => Constant(new long[] { values.Length }, values, null);

        private string Ints(params long[] values) => Constant(new long[] { values.Length }, null, values);

        private string Constant(long[] dims, float[]? floats, long[]? int64s)
        {
            var key = (floats != null ? "f" + string.Join(",", Array.ConvertAll(floats, f => f.ToString("R", CultureInfo.InvariantCulture)))
                                      : "i" + string.Join(",", int64s!)) + "/" + dims.Length;
            if (_constantNames.TryGetValue(key, out var existing)) return existing;
            var name = "const_" + _constantNames.Count.ToString(CultureInfo.InvariantCulture);
            _constantNames.Add(key, name);
            _graph.Constants.Add(new ConstantTensor(name, dims, floats, int64s));
            return name;
        }

        private float GetFloat(string key, float defaultValue)
        {
            var option = _section.Find(key);
            if (option == null) return defaultValue;
            if (float.TryParse(option.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
            throw new DarknetException(ErrorCodes.MalformedCfg, $"{_section.Where(option.Line)}: [{_section.Name}] {key}={CfgReader.Quote(option.Value)}: expected a number");
        }

        private void RefuseUnless(string key, int expected)
        {
            var option = _section.Find(key);
            if (option != null && _section.GetInt(key, expected) != expected)
                throw Unsupported($"{key}={CfgReader.Quote(option.Value)} cannot be exported (only {expected})", option.Line);
        }

        private void RefuseIfPresent(string key)
        {
            var option = _section.Find(key);
            if (option != null) throw Unsupported($"{key}= cannot be exported", option.Line);
        }

        private DarknetException Unsupported(string what, int line = 0) =>
            new DarknetException(ErrorCodes.UnsupportedLayer, $"{_section.Where(line > 0 ? line : _section.Line)}: [{_section.Name}] {what}");
    }
}
