using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Darknet.Weights.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using OpenCvSharp.Dnn;

/// <summary>
/// One network, one image, every way a .NET user can run it, side by side: ONNX Runtime on the layers, boxes and
/// detections exports, OpenCV's own Darknet importer (OpenCvSharp: readNetFromDarknet, decode of its [yolo] outputs,
/// NMSBoxes) and darknet itself (network_predict, get_network_boxes, do_nms_sort), each case run in turn (A B C … A B C).
/// </summary>
internal static class Compare
{
    public const float IouThreshold = 0.45f;
    private static float ScoreThreshold = 0.25f;

    /// <summary>DIR/NAME.cfg and NAME.weights (the tests' synthetic weights at WIDTH x HEIGHT) and NAME-KIND.onnx for each kind.</summary>
    /// <paramref name="heads"/>: see <see cref="TrainedLikeHeads"/>.
    public static void Export(string cfg, int width, int height, string folder, HeadBias? heads = null)
    {
        Directory.CreateDirectory(folder);
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, cfg, width, height);
        var name = Path.GetFileNameWithoutExtension(cfg);
        var cfgPath = Path.Combine(folder, name + ".cfg");
        var weightsPath = Path.Combine(folder, name + ".weights");
        File.Copy(network.CfgPath, cfgPath, true);
        File.Copy(network.WeightsPath, weightsPath, true);
        if (heads != null) TrainedLikeHeads(NetworkLayout.FromCfgFile(cfgPath), weightsPath, heads);
        foreach (var kind in new[] { OnnxOutputs.Layers, OnnxOutputs.Boxes, OnnxOutputs.Detections })
        {
            var options = new ConversionOptions { Format = OutputFormat.Onnx, Onnx = new OnnxExportOptions { Outputs = kind } };
            DarknetConverter.ConvertFile(NetworkLayout.FromCfgFile(cfgPath), weightsPath, Path.Combine(folder, $"{name}-{OnnxExportOptions.Name(kind)}.onnx"), options);
        }
    }

    /// <summary>
    /// Heads like a trained detector's. The synthetic weights give every anchor about the same objectness (yolov4-tiny:
    /// logits 0.10 ± 0.05), so tens of thousands of class scores pass a threshold or none do, where a trained network on
    /// an image of a few objects passes tens to hundreds. For the convolution feeding each [yolo] layer this multiplies
    /// the weights by <paramref name="heads"/>.Gain (the logits spread out) and sets the biases: 0 for the box, Objectness
    /// for objectness, Class for every class (few anchors and classes pass). The rest of the network is untouched.
    /// </summary>
    private static void TrainedLikeHeads(NetworkLayout layout, string weightsPath, HeadBias heads)
    {
        long floats = layout.Blocks.Sum(b => b.FloatCount);
        using var file = File.Open(weightsPath, FileMode.Open, FileAccess.ReadWrite);
        long offset = file.Length - floats * sizeof(float); // after darknet's header
        var layers = layout.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            foreach (var block in layers[i].Stored)
            {
                var head = i + 1 < layers.Count && layers[i + 1].Type == LayerType.Yolo ? layers[i + 1].Head : null;
                if (head != null && block.Kind == BlockKind.Convolutional && !block.BatchNormalize)
                {
                    // darknet stores such a convolution's biases (one per filter), then its weights
                    var values = new float[block.FloatCount];
                    file.Position = offset;
                    file.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                    for (int k = block.Filters; k < values.Length; k++) values[k] *= heads.Gain;
                    int stride = 5 + head.Classes;
                    for (int f = 0; f < block.Filters; f++)
                        values[f] = (f % stride) switch { < 4 => 0f, 4 => heads.Objectness, _ => heads.Class };
                    file.Position = offset;
                    file.Write(MemoryMarshal.AsBytes(values.AsSpan()));
                }
                offset += block.FloatCount * sizeof(float);
            }
        }
    }

    public sealed record HeadBias(float Gain, float Objectness, float Class);

    public static int Run(string[] args)
    {
        int runs = 7, warmUp = 2;
        var threads = new[] { 1, 2 };
        string? json = null;
        bool darknet = true;
        var names = new List<string>();
        string folder = ".";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i]); break;
                case "--threads": threads = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--json": json = args[++i]; break;
                case "--dir": folder = args[++i]; break;
                case "--no-darknet": darknet = false; break;
                case "--score": ScoreThreshold = float.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                default: names.Add(args[i]); break;
            }
        }

        var report = new List<object>();
        var started = DateTime.UtcNow;
        var loadBefore = LoadAverage();
        foreach (var name in names)
        {
            var cfg = Path.Combine(folder, name + ".cfg");
            var weights = Path.Combine(folder, name + ".weights");
            var layout = NetworkLayout.FromCfgFile(cfg);
            var random = new Random(12);
            var image = new float[layout.Channels * layout.Height * layout.Width];
            for (int i = 0; i < image.Length; i++) image[i] = (float)random.NextDouble();

            var cases = new List<Case>();
            foreach (var kind in new[] { "layers", "boxes", "detections" })
            foreach (var t in threads)
                cases.Add(OnnxRuntimeCase(name, Path.Combine(folder, $"{name}-{kind}.onnx"), kind, t, image, layout));
            foreach (var t in threads) cases.Add(OpenCvCase(name, cfg, weights, t, image, layout));
            if (darknet && DarknetLoads(cfg)) cases.Add(DarknetCase(name, cfg, weights, image, layout));

            foreach (var c in cases) for (int w = 0; w < warmUp; w++) c.Count = c.Body();
            var process = Process.GetCurrentProcess();
            for (int r = 0; r < runs; r++)
            {
                foreach (var c in cases)
                {
                    // Untimed: a two-thread session's intra-op threads spin for a while after its run; without a pause they
                    // would still be spinning into the next case's timed run (on two cores, a case after a two-thread one
                    // measured up to 8 % slower than the same case after OpenCV).
                    Thread.Sleep(100);
                    c.Before?.Invoke();
                    process.Refresh();
                    var cpu = process.TotalProcessorTime;
                    var watch = Stopwatch.StartNew();
                    c.Count = c.Body();
                    watch.Stop();
                    process.Refresh();
                    c.Wall.Add(watch.Elapsed.TotalMilliseconds);
                    c.Cpu.Add((process.TotalProcessorTime - cpu).TotalMilliseconds);
                }
            }
            Console.WriteLine($"== {name} {layout.Width}x{layout.Height}, {runs} alternating runs, load {LoadAverage()}");
            Console.WriteLine("case | median wall ms | median CPU ms | min wall ms | detections");
            var openCv1 = cases.First(c => c.Runtime == "opencvsharp-darknet" && c.Threads == 1);
            foreach (var c in cases)
            {
                Console.WriteLine($"{c.Label} | {Median(c.Wall):F1} | {Median(c.Cpu):F1} | {c.Wall.Min():F1} | {c.Count}");
                report.Add(new
                {
                    network = name, runtime = c.Runtime, kind = c.Kind, threads = c.Threads,
                    median_wall_ms = Median(c.Wall), median_cpu_ms = Median(c.Cpu), min_wall_ms = c.Wall.Min(),
                    detections = c.Count, wall_ms = c.Wall, cpu_ms = c.Cpu,
                });
            }
            foreach (var t in threads)
            {
                var det = cases.First(c => c.Kind == "detections" && c.Threads == t && c.Runtime == "onnxruntime");
                var lay = cases.First(c => c.Kind == "layers" && c.Threads == t && c.Runtime == "onnxruntime");
                var cv = cases.First(c => c.Runtime == "opencvsharp-darknet" && c.Threads == t);
                Console.WriteLine($"{name} threads {t}: detections / OpenCV darknet = {Median(det.Wall) / Median(cv.Wall):F2}x wall, " +
                                  $"{Median(det.Cpu) / Median(cv.Cpu):F2}x CPU; detections / layers = {Median(det.Wall) / Median(lay.Wall):F3}x wall, " +
                                  $"{Median(det.Cpu) / Median(lay.Cpu):F3}x CPU");
            }
            foreach (var c in cases) c.Dispose?.Invoke();
        }
        if (json != null)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(new
            {
                started = started.ToString("o"), finished = DateTime.UtcNow.ToString("o"),
                load_average_before = loadBefore, load_average_after = LoadAverage(), runs, warm_up = warmUp,
                score_threshold = ScoreThreshold, iou_threshold = IouThreshold,
                onnxruntime = typeof(InferenceSession).Assembly.GetName().Version?.ToString(), opencv = Cv2.GetVersionString(),
                cases = report,
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    private static Case OnnxRuntimeCase(string name, string model, string kind, int threads, float[] image, NetworkLayout layout)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "1");
        var session = new InferenceSession(model, options);
        var input = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(image, new[] { 1, layout.Channels, layout.Height, layout.Width })) };
        if (kind == "detections")
            input.Add(NamedOnnxValue.CreateFromTensor("score_threshold", new DenseTensor<float>(new[] { ScoreThreshold }, new[] { 1 })));
        return new Case($"{name} onnxruntime {kind} intra={threads}", "onnxruntime", kind, threads, () =>
        {
            using var results = session.Run(input);
            if (kind == "detections") return results.Single(r => r.Name == "detections").AsTensor<float>().Dimensions[0];
            if (kind == "boxes") return results.Single(r => r.Name == "scores").AsTensor<float>().Count(s => s > ScoreThreshold); // candidates before NMS
            return 0;
        }) { Dispose = session.Dispose };
    }

    // What an OpenCvSharp user writes for a darknet detector: the [yolo] outputs are decoded boxes (x, y, w, h relative
    // to the input, objectness, then objectness x class per class), kept above the threshold by their best class, NMSBoxes.
    private static Case OpenCvCase(string name, string cfg, string weights, int threads, float[] image, NetworkLayout layout)
    {
        var net = CvDnn.ReadNetFromDarknet(cfg, weights) ?? throw new InvalidOperationException("ReadNetFromDarknet returned null");
        net.SetPreferableBackend(Backend.OPENCV);
        net.SetPreferableTarget(Target.CPU);
        var outNames = net.GetUnconnectedOutLayersNames()!.Select(n => n!).ToArray();
        var blob = new Mat(new[] { 1, layout.Channels, layout.Height, layout.Width }, MatType.CV_32F);
        Marshal.Copy(image, 0, blob.Data, image.Length);
        int w = layout.Width, h = layout.Height;
        var buffer = Array.Empty<float>();
        return new Case($"{name} opencvsharp-darknet threads={threads}", "opencvsharp-darknet", "decode+NMSBoxes", threads, () =>
        {
            net.SetInput(blob);
            var outputs = outNames.Select(_ => new Mat()).ToArray();
            try
            {
                net.Forward(outputs, outNames);
                var rects = new List<Rect>();
                var confidences = new List<float>();
                var classIds = new List<int>();
                foreach (var o in outputs)
                {
                    int rows = o.Rows, cols = o.Cols;
                    if (buffer.Length < rows * cols) buffer = new float[rows * cols];
                    Marshal.Copy(o.Data, buffer, 0, rows * cols);
                    for (int i = 0; i < rows; i++)
                    {
                        int row = i * cols, best = 5;
                        for (int c = 6; c < cols; c++) if (buffer[row + c] > buffer[row + best]) best = c;
                        float score = buffer[row + best];
                        if (score <= ScoreThreshold) continue;
                        float bw = buffer[row + 2] * w, bh = buffer[row + 3] * h;
                        rects.Add(new Rect((int)(buffer[row] * w - bw / 2), (int)(buffer[row + 1] * h - bh / 2), (int)bw, (int)bh));
                        confidences.Add(score);
                        classIds.Add(best - 5);
                    }
                }
                CvDnn.NMSBoxes(rects, confidences, ScoreThreshold, IouThreshold, out int[] kept);
                return kept.Length;
            }
            finally
            {
                foreach (var o in outputs) o.Dispose();
            }
        }) { Before = () => Cv2.SetNumThreads(threads), Dispose = () => { net.Dispose(); blob.Dispose(); } };
    }

    // pjreddie's darknet reads none of AlexeyAB's additions (mish, scale_x_y, route groups, ...): it runs yolov3 only here.
    private static bool DarknetLoads(string cfg) =>
        File.Exists(DarknetNative.Library) && !File.ReadAllText(cfg).Contains("mish") && !File.ReadAllText(cfg).Contains("scale_x_y")
        && !File.ReadAllText(cfg).Contains("groups");

    private static Case DarknetCase(string name, string cfg, string weights, float[] image, NetworkLayout layout)
    {
        var net = DarknetNative.LoadNetwork(cfg, weights, 0);
        if (net == IntPtr.Zero) throw new InvalidOperationException("darknet could not load " + cfg);
        int classes = layout.Layers.First(l => l.Type == LayerType.Yolo || l.Type == LayerType.Region).Head!.Classes;
        return new Case($"{name} darknet predict+boxes+nms", "darknet", "network_predict+get_network_boxes+do_nms_sort", 1, () =>
        {
            DarknetNative.NetworkPredict(net, image);
            var dets = DarknetNative.GetNetworkBoxes(net, layout.Width, layout.Height, ScoreThreshold, .5f, IntPtr.Zero, 1, out int count);
            DarknetNative.DoNmsSort(dets, count, classes, IouThreshold);
            int size = Marshal.SizeOf<DarknetNative.Detection>(), kept = 0;
            var prob = new float[classes];
            for (int i = 0; i < count; i++)
            {
                var d = Marshal.PtrToStructure<DarknetNative.Detection>(dets + i * size);
                Marshal.Copy(d.Prob, prob, 0, classes);
                kept += prob.Count(p => p > ScoreThreshold);
            }
            DarknetNative.FreeDetections(dets, count);
            return kept;
        }) { Dispose = () => DarknetNative.FreeNetwork(net) };
    }

    private static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private sealed class Case(string label, string runtime, string kind, int threads, Func<int> body)
    {
        public string Label { get; } = label;
        public string Runtime { get; } = runtime;
        public string Kind { get; } = kind;
        public int Threads { get; } = threads;
        public Func<int> Body { get; } = body;
        public Action? Before { get; init; }
        public Action? Dispose { get; init; }
        public int Count { get; set; }
        public List<double> Wall { get; } = new();
        public List<double> Cpu { get; } = new();
    }
}
