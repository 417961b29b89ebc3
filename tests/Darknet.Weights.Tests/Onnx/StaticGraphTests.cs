using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Xunit;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// No exported graph computes a shape at run time, which OpenCV's importer and ML.NET cannot follow: for every cfg the
/// exporter builds and every output kind, no Shape, Size or ConstantOfShape node, and every input that is read as a
/// shape, axes, bounds, scales or indices is a constant initializer. Every op used is classified here, so a new one
/// cannot slip past the rule. Built from the layout alone (no weights).
/// </summary>
public sealed class StaticGraphTests
{
    private static readonly HashSet<string> Forbidden = new() { "Shape", "Size", "ConstantOfShape", "NonZero", "Range" };

    // The inputs (by position) each op reads as a shape, bounds, axes, scales or indices; ops absent here read none.
    private static readonly Dictionary<string, int[]> ShapeInputs = new()
    {
        ["Reshape"] = new[] { 1 },
        ["Slice"] = new[] { 1, 2, 3, 4 },
        ["Resize"] = new[] { 1, 2, 3 },
        ["Expand"] = new[] { 1 },
        ["Tile"] = new[] { 1 },
        ["Gather"] = new[] { 1 },
        ["Unsqueeze"] = new[] { 1 },
        ["Squeeze"] = new[] { 1 },
        ["Pad"] = new[] { 1, 2 },
        ["Split"] = new[] { 1 },
        ["Clip"] = new[] { 1, 2 },
    };

    // Ops whose every input is data; NonMaxSuppression's and GatherND's results are data-dependent by nature (the
    // detections' count), not a computed shape.
    private static readonly HashSet<string> DataOnly = new()
    {
        "Conv", "Gemm", "Flatten", "Add", "Sub", "Mul", "Div", "Max", "Min", "Exp", "Sigmoid", "Tanh", "Relu", "LeakyRelu",
        "Elu", "Selu", "Softplus", "Softmax", "MaxPool", "AveragePool", "GlobalAveragePool", "Identity", "Concat", "Transpose",
        "SpaceToDepth", "NonMaxSuppression", "GatherND", "Cast", "Greater", "Where",
    };

    public static IEnumerable<object[]> Cfgs() =>
        SharedFiles.CfgFileNames().Select(n => new object[] { "cfg", n })
            .Concat(SharedFiles.AlexeyAbCfgFileNames().Select(n => new object[] { "cfg-alexeyab", n }));

    [SkippableTheory]
    [MemberData(nameof(Cfgs))]
    public void No_export_of_a_cfg_computes_a_shape(string folder, string cfgName)
    {
        var path = Path.Combine(Path.GetDirectoryName(SharedFiles.RequireCfgDirectory())!, folder, cfgName);
        var layout = NetworkLayout.FromCfgFile(path);
        var built = new List<string>();
        foreach (var (kind, options) in new[]
                 {
                     ("layers", new OnnxExportOptions()),
                     ("layers pinned", new OnnxExportOptions { FixedSize = true }),
                     ("boxes", new OnnxExportOptions { Outputs = OnnxOutputs.Boxes }),
                     ("detections", new OnnxExportOptions { Outputs = OnnxOutputs.Detections }),
                 })
        {
            OnnxGraph graph;
            try
            {
                graph = GraphBuilder.Build(layout, options);
            }
            catch (DarknetException e) when (e.Code is ErrorCodes.UnsupportedLayer or ErrorCodes.RecurrentNotExportable)
            {
                continue; // the exporter refuses it (DKN1005/DKN1006): no graph to inspect
            }
            AssertStatic(graph, $"{cfgName} ({kind})", pinned: options.FixedSize || options.Outputs != OnnxOutputs.Layers);
            built.Add(kind);
        }
        Skip.If(built.Count == 0, $"{cfgName}: the exporter refuses every kind");
        // Each network that builds its layers builds them pinned too; one with [yolo] or [region] heads builds boxes and
        // detections, unless a mask names anchors past num= (cspx-p7-mish), which only the decoded kinds refuse.
        Assert.Contains("layers pinned", built);
        if (layout.Layers.Any(l => l.Type is LayerType.Yolo or LayerType.Region)
            && layout.Layers.All(l => l.Head?.Mask == null || l.Head.Mask.All(m => m < l.Head.Num)))
            Assert.Subset(new HashSet<string>(built), new HashSet<string> { "boxes", "detections" });
    }

    [Fact]
    public void The_check_catches_a_computed_shape_and_an_unclassified_op()
    {
        OnnxGraph Graph(params OnnxNode[] nodes)
        {
            var graph = new OnnxGraph { Input = new ValueInfo("input", new object[] { "N", 3L, 8L, 8L }) };
            graph.Constants.Add(new ConstantTensor("shape", new long[] { 2 }, null, new long[] { 0, -1 }));
            graph.Nodes.AddRange(nodes);
            return graph;
        }
        OnnxNode Node(string op, string output, params string[] inputs) => new(op, output, inputs, new[] { output });

        AssertStatic(Graph(Node("Reshape", "flat", "input", "shape")), "constant shape", pinned: true);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            AssertStatic(Graph(Node("Shape", "s", "input"), Node("Reshape", "flat", "input", "s")), "Shape", pinned: true));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            AssertStatic(Graph(Node("Relu", "s", "shape"), Node("Reshape", "flat", "input", "s")), "computed shape", pinned: true));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertStatic(Graph(Node("Loop", "l", "input")), "unclassified", pinned: true));
    }

    internal static void AssertStatic(OnnxGraph graph, string what, bool pinned)
    {
        var constants = new HashSet<string>(graph.Constants.Select(c => c.Name));
        var optional = new HashSet<string>(graph.OptionalInputs.Select(i => i.Name));
        foreach (var node in graph.Nodes)
        {
            Assert.False(Forbidden.Contains(node.OpType), $"{what}: {node.OpType} node {node.Name}");
            if (ShapeInputs.TryGetValue(node.OpType, out var positions))
            {
                foreach (var p in positions.Where(p => p < node.Inputs.Length && node.Inputs[p] != ""))
                    Assert.True(constants.Contains(node.Inputs[p]) && !optional.Contains(node.Inputs[p]),
                        $"{what}: {node.OpType} node {node.Name} reads input {p} ({node.Inputs[p]}) as a shape, but it is computed");
            }
            else
            {
                Assert.True(DataOnly.Contains(node.OpType), $"{what}: {node.OpType} (node {node.Name}) is not classified: which of its inputs are shapes?");
            }
        }
        if (!pinned) return;
        // Pinned: only the batch (and the detections' count) is symbolic.
        Assert.Equal(new object[] { "N" }, graph.Input.Dims.Where(d => d is string).ToArray());
        foreach (var output in graph.Outputs)
            Assert.All(output.Dims.Skip(1), d => Assert.IsType<long>(d));
    }
}
