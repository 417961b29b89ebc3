using System.Runtime.InteropServices;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx.Runtimes;

/// <summary>
/// OpenCV 4.13's ONNX importer through OpenCvSharp4 with OpenCvSharp4.official.runtime.linux-x64 (CvDnn.ReadNetFromOnnx):
/// the pinned layers and the boxes exports load and run, on a batch of one and of two, with every output within 1e-4 of
/// ONNX Runtime's. OpenCV has no NonMaxSuppression, so it refuses the detections export.
/// </summary>
[Collection(RuntimesCollection.Name)]
public sealed class OpenCvSharpTests
{
    private readonly RuntimeExports _exports;
    private readonly ITestOutputHelper _log;

    public OpenCvSharpTests(RuntimeExports exports, ITestOutputHelper log)
    {
        _exports = exports;
        _log = log;
    }

    public static IEnumerable<object[]> Cases() => RuntimeExports.Cases(RuntimeExports.LayersPinned, RuntimeExports.Boxes);

    public static IEnumerable<object[]> Detectors() => RuntimeExports.Cases(RuntimeExports.Detections);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Outputs_equal_onnx_runtimes(string name, string kind)
    {
        var network = _exports.Get(name);
        foreach (int batch in new[] { 1, 2 })
        {
            var expected = network.Reference(kind, batch);
            var actual = Run(network, network.Export(kind), batch, expected.Select(o => o.Name).ToArray());
            for (int k = 0; k < expected.Count; k++)
            {
                Assert.Equal(expected[k].Shape, actual[k].Shape);
                var error = OnnxRun.MaxRelativeError(actual[k].Values, expected[k].Values);
                _log.WriteLine($"{name} {kind} batch {batch} {expected[k].Name} [{string.Join(",", expected[k].Shape)}]: max relative error {error:E2} vs ONNX Runtime");
                Assert.True(error <= MatchesDarknetTests.Tolerance, $"{name} {kind} {expected[k].Name}: max relative error {error:E3}");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Detectors))]
    public void The_detections_export_is_refused_for_its_NonMaxSuppression(string name, string kind)
    {
        var network = _exports.Get(name);
        var e = Assert.Throws<OpenCVException>(() => CvDnn.ReadNetFromOnnx(network.Export(kind))?.Dispose());
        Assert.Contains("NonMaxSuppression", e.Message + e.ErrMsg);
    }

    internal static List<(int[] Shape, float[] Values)> Run(RuntimeExports.Network network, string model, int batch, string[] names)
    {
        using var net = CvDnn.ReadNetFromOnnx(model) ?? throw new InvalidOperationException("ReadNetFromOnnx returned null");
        var input = network.Input(batch);
        using var blob = new Mat(new[] { batch, network.Channels, network.Test.Height, network.Test.Width }, MatType.CV_32F);
        Marshal.Copy(input, 0, blob.Data, input.Length);
        net.SetInput(blob);
        var outputs = names.Select(_ => new Mat()).ToArray();
        try
        {
            net.Forward(outputs, names);
            return outputs.Select(o =>
            {
                Assert.True(o.IsContinuous());
                var values = new float[o.Total()];
                Marshal.Copy(o.Data, values, 0, values.Length);
                return (Enumerable.Range(0, o.Dims).Select(o.Size).ToArray(), values);
            }).ToList();
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
        }
    }
}
