using Darknet.Weights.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx.Runtimes;

/// <summary>
/// ONNX Runtime (Microsoft.ML.OnnxRuntime), the reference the other runtimes are held to: every kind loads and runs,
/// outputs have the shapes the model declares, a pinned export gives the symbolic one's values, and the batch stays
/// open: a batch of two gives each image's own result.
/// </summary>
[Collection(RuntimesCollection.Name)]
public sealed class OnnxRuntimeTests
{
    private readonly RuntimeExports _exports;
    private readonly ITestOutputHelper _log;

    public OnnxRuntimeTests(RuntimeExports exports, ITestOutputHelper log)
    {
        _exports = exports;
        _log = log;
    }

    public static IEnumerable<object[]> Cases() => RuntimeExports.Cases(RuntimeExports.Layers, RuntimeExports.LayersPinned, RuntimeExports.Boxes, RuntimeExports.Detections);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Every_kind_runs_with_its_declared_shapes_and_a_batch_of_two(string name, string kind)
    {
        var network = _exports.Get(name);
        var one = network.Reference(kind, 1);
        var two = network.Reference(kind, 2);
        var graph = GraphBuilder.Build(Darknet.Weights.Layout.NetworkLayout.FromCfgFile(network.Test.CfgPath), new OnnxExportOptions
        {
            Outputs = kind switch { RuntimeExports.Boxes => OnnxOutputs.Boxes, RuntimeExports.Detections => OnnxOutputs.Detections, _ => OnnxOutputs.Layers },
            FixedSize = kind == RuntimeExports.LayersPinned,
        });
        Assert.Equal(graph.Outputs.Select(o => o.Name), one.Select(o => o.Name));
        for (int k = 0; k < one.Count; k++)
        {
            var declared = graph.Outputs[k].Dims;
            for (int d = 0; d < declared.Length; d++)
                if (declared[d] is long size) Assert.Equal(size, one[k].Shape[d]);
        }

        if (kind == RuntimeExports.Detections)
        {
            var rows = one.Single().Values;
            Assert.True(rows.Length > 0, $"{name}: no detection at score threshold {network.ScoreThreshold}");
            // The first image's rows of the batch are the image's own detections.
            var pairs = two.Single().Values.Chunk(7).Where(r => r[0] == 0).SelectMany(r => r).ToArray();
            Assert.Equal(rows.Length, pairs.Length);
            Assert.True(OnnxRun.MaxRelativeError(pairs, rows) <= 1e-5);
            Assert.Contains(two.Single().Values.Chunk(7), r => r[0] == 1);
            _log.WriteLine($"{name} {kind}: {rows.Length / 7} detections at threshold {network.ScoreThreshold:G4}");
            return;
        }
        for (int k = 0; k < one.Count; k++)
        {
            Assert.Equal(2, two[k].Shape[0]);
            var first = two[k].Values.Take(one[k].Values.Length).ToArray();
            Assert.True(OnnxRun.MaxRelativeError(first, one[k].Values) <= 1e-5, $"{name} {kind} {one[k].Name}: the batch's first image differs");
            Assert.NotEqual(first, two[k].Values.Skip(one[k].Values.Length).ToArray());
        }
        if (kind == RuntimeExports.LayersPinned && RuntimeExports.Cases(RuntimeExports.Layers).Any(c => (string)c[0] == name))
        {
            var symbolic = network.Reference(RuntimeExports.Layers, 1);
            for (int k = 0; k < one.Count; k++) Assert.True(OnnxRun.MaxRelativeError(one[k].Values, symbolic[k].Values) <= 1e-5, $"{name} {one[k].Name}: pinned and symbolic differ");
        }
        _log.WriteLine($"{name} {kind}: {string.Join(", ", one.Select(o => $"{o.Name} [{string.Join(",", o.Shape)}]"))}");
    }
}
