using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace Darknet.Weights.Tests.Onnx.Runtimes;

[CollectionDefinition(Name)]
public sealed class RuntimesCollection : ICollectionFixture<RuntimeExports>
{
    public const string Name = "Runtimes";
}

/// <summary>
/// The networks every runtime test runs, each exported once per kind, with ONNX Runtime's outputs as the reference.
/// Chosen for what each brings to a graph: yolov3-tiny (pjreddie's [yolo], [upsample], the size-2 stride-1 pool),
/// yolov4-tiny (scale_x_y, route groups), yolov2-tiny-voc ([region] with a class softmax), yolov7-tiny (new_coords),
/// tiny (a classifier's [softmax]), efficientnet_b0 ([scale_channels], swish), and two small cfgs of this file's own:
/// pjreddie's [reorg] feeding a [region] head, and [connected] layers (both pinned by their layers).
/// </summary>
public sealed class RuntimeExports : IDisposable
{
    public const string Layers = "layers";
    public const string LayersPinned = "layers-pinned";
    public const string Boxes = "boxes";
    public const string Detections = "detections";

    private const string ReorgRegionCfg = """
        [net]
        width=64
        height=48
        channels=3
        [convolutional]
        batch_normalize=1
        filters=8
        size=3
        pad=1
        activation=leaky
        [reorg]
        stride=2
        [convolutional]
        batch_normalize=1
        filters=16
        size=3
        pad=1
        activation=leaky
        [maxpool]
        size=2
        stride=2
        [convolutional]
        filters=24
        size=1
        activation=linear
        [region]
        anchors=1.08,1.19,3.42,4.41,6.63,11.38
        classes=3
        coords=4
        num=3
        softmax=1
        """;

    private const string ConnectedCfg = """
        [net]
        width=32
        height=24
        channels=3
        [convolutional]
        batch_normalize=1
        filters=8
        size=3
        pad=1
        activation=leaky
        [maxpool]
        size=2
        stride=2
        [connected]
        output=32
        activation=leaky
        [connected]
        batch_normalize=1
        output=10
        activation=linear
        [softmax]
        groups=1
        """;

    private static readonly (string Name, string Cfg, int Width, int Height)[] Networks =
    {
        ("yolov3-tiny", "cfg/yolov3-tiny.cfg", 160, 128),
        ("yolov4-tiny", "cfg-alexeyab/yolov4-tiny.cfg", 160, 128),
        ("yolov2-tiny-voc", "cfg/yolov2-tiny-voc.cfg", 160, 128),
        ("yolov7-tiny", "cfg-alexeyab/yolov7-tiny.cfg", 128, 96),
        ("tiny", "cfg/tiny.cfg", 64, 64),
        ("efficientnet_b0", "cfg-alexeyab/efficientnet_b0.cfg", 64, 64),
        ("reorg-region", ReorgRegionCfg, 64, 48),
        ("connected", ConnectedCfg, 32, 24),
    };

    /// <summary>The guide's runtime snippets' network, at its own size: yolov4-tiny at 416x416.</summary>
    public const string Readme = "yolov4-tiny-416";

    private static readonly (string Name, string Cfg, int Width, int Height) ReadmeNetwork = (Readme, "cfg-alexeyab/yolov4-tiny.cfg", 416, 416);

    private readonly TempDirectory _temp = new();
    private readonly Dictionary<string, Network> _networks = new();
    private readonly object _gate = new();

    /// <summary>(network, kind) for every kind the network has: a detector has boxes and detections, a network whose
    /// layers need their sizes has no symbolic layers export.</summary>
    public static IEnumerable<object[]> Cases(params string[] kinds) =>
        from n in Networks
        from kind in new[] { Layers, LayersPinned, Boxes, Detections }
        where kinds.Contains(kind) && Has(n.Name, kind)
        select new object[] { n.Name, kind };

    private static bool Has(string network, string kind) => kind switch
    {
        Layers => network is not ("reorg-region" or "connected"),
        Boxes or Detections => network is not ("tiny" or "efficientnet_b0" or "connected"),
        _ => true,
    };

    internal Network Get(string name)
    {
        lock (_gate)
        {
            if (!_networks.TryGetValue(name, out var network))
            {
                var (_, cfg, width, height) = Networks.Append(ReadmeNetwork).Single(n => n.Name == name);
                string path;
                if (cfg.StartsWith("[net]", StringComparison.Ordinal))
                {
                    path = _temp.File(name + ".cfg");
                    File.WriteAllText(path, cfg);
                }
                else
                {
                    path = Path.Combine(Path.GetDirectoryName(SharedFiles.RequireCfgDirectory())!, cfg);
                    Skip.IfNot(File.Exists(path), path + " is missing");
                }
                network = new Network(new TestNetwork(_temp, path, width, height));
                _networks.Add(name, network);
            }
            return network;
        }
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>One network, its exports (written on first use) and ONNX Runtime's outputs on them.</summary>
    internal sealed class Network
    {
        private readonly Dictionary<string, string> _exports = new();
        private readonly Dictionary<string, IReadOnlyList<Output>> _reference = new();
        private readonly Dictionary<string, object> _memo = new();
        private float? _scoreThreshold;

        public Network(TestNetwork test)
        {
            Test = test;
            // A second image, so a batch of two holds two different images.
            Batch2Input = test.Input.Concat(test.Input.Select(v => 1 - v)).ToArray();
        }

        public TestNetwork Test { get; }

        public float[] Batch2Input { get; }

        public int Channels => Test.Layout.Channels;

        public float[] Input(int batch) => batch == 1 ? Test.Input : Batch2Input;

        /// <summary>What <paramref name="make"/> gives, made once per network and key (one run of a runtime over every export).</summary>
        public T Memo<T>(string key, Func<T> make) where T : class
        {
            if (!_memo.TryGetValue(key, out var value)) _memo.Add(key, value = make());
            return (T)value;
        }

        /// <summary>The model file of <paramref name="kind"/>.</summary>
        public string Export(string kind)
        {
            if (_exports.TryGetValue(kind, out var path)) return path;
            path = Test.OnnxPath.Replace(".onnx", "-" + kind + ".onnx");
            var options = new OnnxExportOptions
            {
                Outputs = kind switch { Boxes => OnnxOutputs.Boxes, Detections => OnnxOutputs.Detections, _ => OnnxOutputs.Layers },
                FixedSize = kind == LayersPinned,
            };
            DarknetConverter.ConvertFile(NetworkLayout.FromCfgFile(Test.CfgPath), Test.WeightsPath, path,
                new ConversionOptions { Format = OutputFormat.Onnx, Onnx = options });
            _exports.Add(kind, path);
            return path;
        }

        /// <summary>
        /// A score threshold that about a hundred class scores of the first image pass (synthetic weights put scores
        /// anywhere, so darknet's .25 can keep none or all), midway between two scores so no score sits on it.
        /// </summary>
        public float ScoreThreshold
        {
            get
            {
                if (_scoreThreshold is { } t) return t;
                var scores = Reference(Boxes, 1).Single(o => o.Name == "scores").Values.OrderByDescending(v => v).ToArray();
                int rank = Math.Min(100, scores.Length / 2);
                _scoreThreshold = (scores[rank - 1] + scores[rank]) / 2;
                return _scoreThreshold.Value;
            }
        }

        /// <summary>A non-default IoU threshold, so that feeding it is seen.</summary>
        public float IouThreshold => .3f;

        /// <summary>ONNX Runtime's outputs of <paramref name="kind"/> on a batch of one or two (detections at <see cref="ScoreThreshold"/>
        /// and <see cref="IouThreshold"/> unless <paramref name="defaults"/>).</summary>
        public IReadOnlyList<Output> Reference(string kind, int batch, bool defaults = false)
        {
            var key = $"{kind}/{batch}/{defaults}";
            if (_reference.TryGetValue(key, out var outputs)) return outputs;
            var thresholds = kind == Detections && !defaults ? new Dictionary<string, float> { ["score_threshold"] = ScoreThreshold, ["iou_threshold"] = IouThreshold } : null;
            outputs = RunOrt(Export(kind), Input(batch), batch, thresholds);
            _reference.Add(key, outputs);
            return outputs;
        }

        public IReadOnlyList<Output> RunOrt(string model, float[] input, int batch, IReadOnlyDictionary<string, float>? thresholds = null)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            using var session = new InferenceSession(model, options);
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input, new[] { batch, Channels, Test.Height, Test.Width })),
            };
            foreach (var (name, value) in thresholds ?? new Dictionary<string, float>())
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(new[] { value }, new[] { 1 })));
            using var results = session.Run(inputs);
            return results.Select(r =>
            {
                var t = r.AsTensor<float>();
                return new Output(r.Name, t.Dimensions.ToArray(), t.ToArray());
            }).ToList();
        }
    }

    internal sealed record Output(string Name, int[] Shape, float[] Values);
}
