using Darknet.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx.Runtimes;

/// <summary>
/// OpenCV's ONNX importer as Debian's python3-opencv 4.6 has it (cv2.dnn.readNetFromONNX): the layers (symbolic and
/// pinned) and boxes exports load and run on one image with every output within 1e-4 of ONNX Runtime's. The
/// detections export is not for OpenCV, which has no NonMaxSuppression: it refuses to load it. (4.6 runs one image at
/// a time: its shape inference takes constants as batch-one tensors, so a batch of two fails in eltwise layers.)
/// One python process per network runs every export of it.
/// </summary>
[Collection(RuntimesCollection.Name)]
public sealed class OpenCvPythonTests
{
    private const string Script = """
        import sys
        import cv2, numpy as np
        input_path, out_dir, c, h, w = sys.argv[1:6]
        x = np.fromfile(input_path, dtype='<f4').reshape(1, int(c), int(h), int(w))
        for job, arg in enumerate(sys.argv[6:]):
            model, names = arg.split('|')
            try:
                net = cv2.dnn.readNetFromONNX(model)
            except cv2.error as e:
                print(job, "REFUSED", str(e).replace("\n", " "))
                continue
            net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
            net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
            net.setInput(x)
            shapes = []
            for i, o in enumerate(net.forward(names.split(','))):
                np.ascontiguousarray(o, dtype='<f4').tofile('%s/%d-%d.bin' % (out_dir, job, i))
                shapes.append(",".join(str(d) for d in o.shape))
            print(job, "RAN", " ".join(shapes))
        """;

    private static readonly string[] Kinds = { RuntimeExports.Layers, RuntimeExports.LayersPinned, RuntimeExports.Boxes, RuntimeExports.Detections };

    private readonly RuntimeExports _exports;
    private readonly ITestOutputHelper _log;

    public OpenCvPythonTests(RuntimeExports exports, ITestOutputHelper log)
    {
        _exports = exports;
        _log = log;
    }

    public static IEnumerable<object[]> Cases() => RuntimeExports.Cases(RuntimeExports.Layers, RuntimeExports.LayersPinned, RuntimeExports.Boxes);

    public static IEnumerable<object[]> Detectors() => RuntimeExports.Cases(RuntimeExports.Detections);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Outputs_equal_onnx_runtimes(string name, string kind)
    {
        OpenCv.Require();
        var network = _exports.Get(name);
        var expected = network.Reference(kind, 1);
        var (refused, actual) = RunAll(network, name)[kind];
        Assert.True(refused == null, refused);
        for (int k = 0; k < expected.Count; k++)
        {
            Assert.Equal(expected[k].Shape, actual[k].Shape);
            var error = OnnxRun.MaxRelativeError(actual[k].Values, expected[k].Values);
            _log.WriteLine($"{name} {kind} {expected[k].Name} [{string.Join(",", expected[k].Shape)}]: max relative error {error:E2} vs ONNX Runtime");
            Assert.True(error <= MatchesDarknetTests.Tolerance, $"{name} {kind} {expected[k].Name}: max relative error {error:E3}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Detectors))]
    public void The_detections_export_is_refused_for_its_NonMaxSuppression(string name, string kind)
    {
        OpenCv.Require();
        var (refused, _) = RunAll(_exports.Get(name), name)[kind];
        Assert.NotNull(refused);
        Assert.Contains("NonMaxSuppression", refused);
    }

    // Every export of the network the runtime tests cover, in one python process: kind -> (refusal, outputs).
    private static Dictionary<string, (string? Refused, List<(int[] Shape, float[] Values)> Outputs)> RunAll(RuntimeExports.Network network, string name) =>
        network.Memo("opencv-python", () =>
        {
            var kinds = Kinds.Where(k => RuntimeExports.Cases(k).Any(c => (string)c[0] == name)).ToArray();
            var names = kinds.Select(k => k == RuntimeExports.Detections ? new[] { "detections" } : network.Reference(k, 1).Select(o => o.Name).ToArray()).ToArray();
            var folder = Path.Combine(Path.GetDirectoryName(network.Test.OnnxPath)!, "cv2-" + name);
            Directory.CreateDirectory(folder);
            var input = Path.Combine(folder, "input.bin");
            var bytes = new byte[network.Test.Input.Length * 4];
            Buffer.BlockCopy(network.Test.Input, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(input, bytes);
            var args = new List<string> { input, folder, network.Channels.ToString(), network.Test.Height.ToString(), network.Test.Width.ToString() };
            args.AddRange(kinds.Select((k, i) => network.Export(k) + "|" + string.Join(",", names[i])));
            var lines = Darknet.Testing.Numpy.RunScript(Script, args.ToArray()).Replace("\r", "").Trim().Split('\n');
            var result = new Dictionary<string, (string? Refused, List<(int[] Shape, float[] Values)> Outputs)>();
            for (int job = 0; job < kinds.Length; job++)
            {
                var line = lines.Single(l => l.StartsWith(job + " ", StringComparison.Ordinal)).Substring(job.ToString().Length + 1);
                if (line.StartsWith("REFUSED", StringComparison.Ordinal))
                {
                    result.Add(kinds[job], (line, new List<(int[], float[])>()));
                    continue;
                }
                var shapes = line.Substring("RAN ".Length).Split(' ');
                result.Add(kinds[job], (null, shapes.Select((shape, i) =>
                {
                    var raw = File.ReadAllBytes(Path.Combine(folder, $"{job}-{i}.bin"));
                    var floats = new float[raw.Length / 4];
                    Buffer.BlockCopy(raw, 0, floats, 0, raw.Length);
                    return (shape.Split(',').Select(int.Parse).ToArray(), floats);
                }).ToList()));
            }
            return result;
        });
}
