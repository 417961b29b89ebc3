using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// Every cfg in ../shared/darknet/cfg and ../shared/darknet/cfg-alexeyab either exports to ONNX and ONNX's own checker
/// (full_check, with shape inference) accepts the model, or is refused with a DKN code for a reason listed here.
/// The checker reads what the exporter's writer writes before the first weight (the nodes, constants, input and
/// outputs, byte for byte); the weight tensors, which hold 3·10⁹ floats over all cfgs, stand in as graph inputs of
/// their names and shapes, and their count and sizes are checked against the layout's blocks of floats here.
/// </summary>
public sealed class EveryCfgOnnxExportTests
{
    /// <summary>The cfgs that stay refused: folder/name -> the code and a fragment of the message.</summary>
    private static readonly Dictionary<string, (string Code, string Message)> Refused = new()
    {
        ["cfg/yolo9000.cfg"] = (ErrorCodes.UnsupportedLayer, "yolo9000.cfg, line 217: [region] tree= (YOLO9000's word tree"),
        ["cfg-alexeyab/yolov3-tiny_occlusion_track.cfg"] = (ErrorCodes.RecurrentNotExportable, "yolov3-tiny_occlusion_track.cfg, line 112: [crnn] is a recurrent layer"),
    };

    private const string CheckScript = """
        import sys, onnx
        from onnx import helper, TensorProto

        def varint(data, i):
            value = shift = 0
            while True:
                b = data[i]; i += 1
                value |= (b & 0x7f) << shift; shift += 7
                if b < 0x80: return value, i

        def graph_field(data):
            # where ModelProto's graph (field 7) starts: its key, and its value, which runs to the end of the head
            i = 0
            while True:
                key_at = i
                key, i = varint(data, i)
                if key & 7 == 0:
                    _, i = varint(data, i)
                    continue
                length, i = varint(data, i)
                if key >> 3 == 7: return key_at, i
                i += length

        for stem in sys.argv[1:]:
            data = open(stem + ".head", "rb").read()
            key_at, value_at = graph_field(data)
            model = onnx.ModelProto()
            model.ParseFromString(data[:key_at])
            graph = onnx.GraphProto()
            graph.ParseFromString(data[value_at:])
            for line in open(stem + ".slots").read().split("\n"):
                if not line: continue
                name, dims = line.split(" ")
                graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [int(d) for d in dims.split(",")]))
            model.graph.CopyFrom(graph)
            try:
                onnx.checker.check_model(model, full_check=True)
                print("ok")
            except Exception as e:
                print("rejected: " + str(e).replace("\n", " ")[:400])
        """;

    private readonly ITestOutputHelper _output;

    public EveryCfgOnnxExportTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public void Every_cfg_exports_and_the_onnx_checker_accepts_it_or_it_is_refused_for_a_listed_reason()
    {
        Reference.RequirePythonModule("onnx", "python3-onnx");
        var cfgs = Directory.GetFiles(SharedFiles.RequireCfgDirectory(), "*.cfg").Select(p => ("cfg", p))
            .Concat(Directory.GetFiles(SharedFiles.RequireAlexeyAbCfg("."), "*.cfg").Select(p => ("cfg-alexeyab", p)))
            .OrderBy(c => c.Item1 + "/" + Path.GetFileName(c.Item2), StringComparer.Ordinal).ToList();
        using var temp = new TempDirectory();
        var exported = new List<(string Name, string Stem)>();
        var problems = new List<string>();
        foreach (var (folder, path) in cfgs)
        {
            var name = folder + "/" + Path.GetFileName(path);
            var layout = NetworkLayout.FromCfgFile(path);
            var stem = temp.File(name.Replace('/', '_'));
            OnnxGraph graph;
            byte[] head;
            try
            {
                graph = GraphBuilder.Build(layout);
                using var stream = new MemoryStream();
                _ = new OnnxModelWriter(graph, System.Array.Empty<KeyValuePair<string, string>>(), stream, "test"); // writes all but the weights, which Write(layer) appends
                head = stream.ToArray();
            }
            catch (DarknetException e)
            {
                _output.WriteLine($"{name}: refused: {e.Message}");
                if (!Refused.TryGetValue(name, out var expected)) problems.Add($"{name}: refused, not listed: {e.Code} {e.Message}");
                else if (e.Code != expected.Code || !e.Message.Contains(expected.Message, StringComparison.Ordinal))
                    problems.Add($"{name}: refused with {e.Code} {e.Message}, listed as {expected.Code} '{expected.Message}'");
                continue;
            }
            if (Refused.ContainsKey(name)) problems.Add($"{name}: listed as refused, but it exports");

            // What the converter then delivers: one block of floats per weight slot, as many as the slot's two tensors hold.
            Assert.Equal(layout.Blocks.Count, graph.WeightSlots.Count);
            for (int i = 0; i < graph.WeightSlots.Count; i++)
            {
                var slot = graph.WeightSlots[i];
                long weights = slot.WeightsDims.Aggregate(1L, (a, d) => a * d), bias = slot.BiasDims.Aggregate(1L, (a, d) => a * d);
                long expectedFloats = slot.Kind == WeightKind.BatchNorm ? 3 * bias : weights + bias * (layout.Blocks[i].BatchNormalize ? 4 : 1);
                Assert.True(layout.Blocks[i].FloatCount == expectedFloats, $"{name} {slot.LayerName}: {layout.Blocks[i].FloatCount} floats stored, the slot takes {expectedFloats}");
            }
            File.WriteAllBytes(stem + ".head", head);
            File.WriteAllLines(stem + ".slots", graph.WeightSlots.SelectMany(s => new[] { s.WeightsName + " " + string.Join(",", s.WeightsDims), s.BiasName + " " + string.Join(",", s.BiasDims) }));
            exported.Add((name, stem));
        }

        var printed = Darknet.Testing.Numpy.RunScript(CheckScript, exported.Select(e => e.Stem).ToArray()).Replace("\r", "").Trim().Split('\n');
        Assert.Equal(exported.Count, printed.Length);
        for (int i = 0; i < exported.Count; i++)
            if (printed[i] != "ok") problems.Add($"{exported[i].Name}: the ONNX checker {printed[i]}");
        _output.WriteLine($"{exported.Count} of {cfgs.Count} cfgs export; refused: {cfgs.Count - exported.Count}");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
