using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx.Runtimes;

/// <summary>
/// ML.NET's ApplyOnnxModel (Microsoft.ML + Microsoft.ML.OnnxTransformer, which bring ONNX Runtime's managed API only:
/// the native Microsoft.ML.OnnxRuntime package is this project's too): the pinned layers, boxes and detections exports
/// load and run with the outputs of ONNX Runtime, detections' optional thresholds left at their defaults or fed as
/// columns (score_threshold and iou_threshold). An export whose height and width stay symbolic is refused, which is
/// why ML.NET takes a pinned one.
/// </summary>
[Collection(RuntimesCollection.Name)]
public sealed class MlNetTests
{
    private readonly RuntimeExports _exports;
    private readonly ITestOutputHelper _log;

    public MlNetTests(RuntimeExports exports, ITestOutputHelper log)
    {
        _exports = exports;
        _log = log;
    }

    public static IEnumerable<object[]> Cases() => RuntimeExports.Cases(RuntimeExports.LayersPinned, RuntimeExports.Boxes, RuntimeExports.Detections);

    public static IEnumerable<object[]> Symbolic() => RuntimeExports.Cases(RuntimeExports.Layers).Take(1);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Outputs_equal_onnx_runtimes(string name, string kind)
    {
        var network = _exports.Get(name);
        var runs = kind == RuntimeExports.Detections
            ? new[] { (Expected: network.Reference(kind, 1), Threshold: (float?)network.ScoreThreshold), (network.Reference(kind, 1, defaults: true), null) }
            : new[] { (Expected: network.Reference(kind, 1), Threshold: (float?)null) };
        foreach (var (expected, threshold) in runs)
        {
            var actual = Run(network, network.Export(kind), expected.Select(o => o.Name).ToArray(), threshold);
            for (int k = 0; k < expected.Count; k++)
            {
                var error = OnnxRun.MaxRelativeError(actual[k], expected[k].Values);
                _log.WriteLine($"{name} {kind} {expected[k].Name} [{string.Join(",", expected[k].Shape)}]{(threshold is { } t ? $" score_threshold {t:G4} iou_threshold {network.IouThreshold}" : "")}: " +
                               $"{actual[k].Length} values, max relative error {error:E2} vs ONNX Runtime");
                Assert.True(error <= MatchesDarknetTests.Tolerance, $"{name} {kind} {expected[k].Name}: max relative error {error:E3}");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Symbolic))]
    public void A_symbolic_height_and_width_is_refused(string name, string kind)
    {
        var network = _exports.Get(name);
        var e = Assert.ThrowsAny<Exception>(() => Run(network, network.Export(kind), new[] { network.Reference(kind, 1)[0].Name }, null));
        Assert.Contains("Only 1 unknown dimension is allowed", e.ToString());
    }

    private static List<float[]> Run(RuntimeExports.Network network, string model, string[] outputs, float? scoreThreshold)
    {
        var ml = new MLContext();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["input"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, network.Channels, network.Test.Height, network.Test.Width);
        var row = new Row { Input = network.Test.Input, ScoreThreshold = new[] { scoreThreshold ?? 0f }, IouThreshold = new[] { network.IouThreshold } };
        var data = ml.Data.LoadFromEnumerable(new[] { row }, schema);
        var inputs = scoreThreshold == null ? new[] { "input" } : new[] { "input", "score_threshold", "iou_threshold" };
        var transformer = ml.Transforms.ApplyOnnxModel(outputs, inputs, model).Fit(data);
        var result = transformer.Transform(data);
        return outputs.Select(o => result.GetColumn<float[]>(o).Single()).ToList();
    }

    private sealed class Row
    {
        [ColumnName("score_threshold"), VectorType(1)]
        public float[] ScoreThreshold { get; set; } = Array.Empty<float>();

        [ColumnName("iou_threshold"), VectorType(1)]
        public float[] IouThreshold { get; set; } = Array.Empty<float>();

        [ColumnName("input")]
        public float[] Input { get; set; } = Array.Empty<float>();
    }
}
