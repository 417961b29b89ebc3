using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// The <c>boxes</c> and <c>detections</c> exports give darknet's own result, compared with pjreddie's libdarknet in
/// process on the same cfg, weights and input: its candidates (get_network_boxes at threshold 0, where every candidate
/// counts, in darknet's order) against boxes and scores, and its detections (get_network_boxes at a threshold, then
/// do_nms_sort) against detections. Scores within 1e-4 relative (1e-7 absolute below 1e-3), box corners within 1e-3 of
/// the input size; a detection whose score lies within 1e-3 of the threshold may be on either side.
/// </summary>
public sealed class DetectionsMatchDarknetTests
{
    internal const double ScoreTolerance = 1e-4;
    internal const double BoxTolerance = 1e-3;
    private readonly ITestOutputHelper _output;

    public DetectionsMatchDarknetTests(ITestOutputHelper output) => _output = output;

    [SkippableTheory]
    [InlineData("yolov3-tiny.cfg", 160, 128)]
    [InlineData("yolov3.cfg", 96, 96)]
    [InlineData("yolov2.cfg", 128, 96)]
    [InlineData("yolov2-tiny-voc.cfg", 160, 128)]
    public void Boxes_and_scores_are_darknets_candidates(string cfg, int width, int height)
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, SharedFiles.RequireCfg(cfg), width, height);
        var outputs = Export(network, OnnxOutputs.Boxes, RunWith(network));
        var boxes = outputs["boxes"];
        var scores = outputs["scores"];
        int classes = network.Layout.Layers.First(l => l.Head != null).Head!.Classes;

        var darknet = DarknetLibrary.Detect(network.CfgPath, network.WeightsPath, network.Input, width, height, classes, 0f, null);
        Assert.Equal(darknet.Count * 4, boxes.Length);
        Assert.Equal(darknet.Count * classes, scores.Length);
        double worstScore = 0, worstBox = 0;
        for (int b = 0; b < darknet.Count; b++)
        {
            var d = darknet[b];
            var expected = Corners(d, width, height);
            for (int k = 0; k < 4; k++) worstBox = Math.Max(worstBox, BoxError(boxes[b * 4 + k], expected[k], width, height));
            for (int c = 0; c < classes; c++) worstScore = Math.Max(worstScore, ScoreError(scores[b * classes + c], d.Prob[c]));
        }
        var above = new[] { .5f, .3f, .2f, .1f, .05f, .02f, .01f }.Select(t => $"{t}: {darknet.Sum(d => d.Prob.Count(p => p > t))}");
        _output.WriteLine($"{cfg} at {width}x{height}: {darknet.Count} candidates x {classes} classes; worst score error {worstScore:E2}, " +
                          $"worst box error {worstBox:E2} of the input size; class scores above {string.Join(", ", above)}");
        Assert.True(worstScore <= ScoreTolerance, $"worst relative score error {worstScore:E3}");
        Assert.True(worstBox <= BoxTolerance, $"worst box error {worstBox:E3} of the input size");
    }

    [SkippableTheory]
    // Thresholds where the synthetic networks' scores give tens to hundreds of detections (a softmax over 80 classes
    // keeps YOLOv2's scores near 1/80), and once darknet's defaults.
    [InlineData("yolov3-tiny.cfg", 160, 128, .35f, .45f)]
    [InlineData("yolov3-tiny.cfg", 160, 128, .25f, .45f)]
    [InlineData("yolov3.cfg", 96, 96, .75f, .45f)]
    [InlineData("yolov2.cfg", 128, 96, .012f, .45f)]
    [InlineData("yolov2-tiny-voc.cfg", 160, 128, .05f, .3f)]
    public void Detections_are_darknets_after_its_threshold_and_nms(string cfg, int width, int height, float thresh, float nms)
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, SharedFiles.RequireCfg(cfg), width, height);
        bool defaults = thresh == Suppression.DefaultScoreThreshold && nms == Suppression.DefaultIouThreshold;
        var run = RunWith(network, defaults ? null : new Dictionary<string, float> { ["score_threshold"] = thresh, ["iou_threshold"] = nms });
        var rows = Export(network, OnnxOutputs.Detections, run)["detections"];
        var ours = Enumerable.Range(0, rows.Length / 7).Select(i => rows.AsSpan(i * 7, 7).ToArray()).ToList();

        int classes = network.Layout.Layers.First(l => l.Head != null).Head!.Classes;
        var darknet = DarknetLibrary.Detect(network.CfgPath, network.WeightsPath, network.Input, width, height, classes, thresh, nms);
        var expected = darknet.SelectMany(d => d.Prob.Select((p, c) => (Class: c, Score: p, Box: Corners(d, width, height))))
            .Where(e => e.Score > thresh).OrderBy(e => e.Class).ThenByDescending(e => e.Score).ToList();

        var compared = CompareDetections(ours, expected, thresh, width, height);
        _output.WriteLine($"{cfg} at {width}x{height}, threshold {thresh}, nms {nms}: {expected.Count} detections by darknet, {ours.Count} by the export; " +
                          $"worst score error {compared.WorstScore:E2}, worst box error {compared.WorstBox:E2} of the input size");
        Assert.True(expected.Count > 0, "darknet found nothing to compare: pick a lower threshold");
        Assert.Empty(compared.Unmatched);
    }

    /// <summary>
    /// Pairs the export's detection rows with the expected (class, score, corners), each with one of the same class within
    /// the tolerances, and checks the rows' order (batch, class, then descending score). Unmatched lists what is left on
    /// either side, except detections whose score lies within 1e-3 of the threshold, which may be on either side.
    /// </summary>
    internal static (double WorstScore, double WorstBox, List<string> Unmatched) CompareDetections(
        List<float[]> ours, List<(int Class, float Score, float[] Box)> expected, float thresh, int width, int height)
    {
        // Sorted by batch, class, then descending score, as the export promises.
        for (int i = 1; i < ours.Count; i++)
            Assert.True(ours[i - 1][1] < ours[i][1] || (ours[i - 1][1] == ours[i][1] && ours[i - 1][2] >= ours[i][2]), $"row {i} is out of order");
        var unmatched = new List<string>();
        var left = ours.ToList();
        double worstScore = 0, worstBox = 0;
        foreach (var e in expected)
        {
            var match = left.FirstOrDefault(r => (int)r[1] == e.Class && ScoreError(r[2], e.Score) <= ScoreTolerance
                                                 && Enumerable.Range(0, 4).All(k => BoxError(r[3 + k], e.Box[k], width, height) <= BoxTolerance));
            if (match == null)
            {
                if (Math.Abs(e.Score - thresh) > 1e-3) unmatched.Add($"expected class {e.Class} score {e.Score:R} box {string.Join(",", e.Box)}");
                continue;
            }
            left.Remove(match);
            worstScore = Math.Max(worstScore, ScoreError(match[2], e.Score));
            for (int k = 0; k < 4; k++) worstBox = Math.Max(worstBox, BoxError(match[3 + k], e.Box[k], width, height));
        }
        unmatched.AddRange(left.Where(r => Math.Abs(r[2] - thresh) > 1e-3).Select(r => $"ours class {r[1]} score {r[2]:R}"));
        return (worstScore, worstBox, unmatched);
    }

    // darknet's get_network_boxes threshold, then do_nms_sort: per class, the candidates scoring above thresh by
    // descending score, each (unless suppressed itself) suppressing the later ones whose IoU with it is above nms.
    internal static List<(int Class, float Score, float[] Box)> DoNmsSort(IReadOnlyList<(float[] Box, float[] Scores)> candidates, int classes, float thresh, float nms)
    {
        var kept = new List<(int Class, float Score, float[] Box)>();
        for (int c = 0; c < classes; c++)
        {
            var ranked = candidates.Where(d => d.Scores[c] > thresh).OrderByDescending(d => d.Scores[c]).ToList();
            var suppressed = new bool[ranked.Count];
            for (int i = 0; i < ranked.Count; i++)
            {
                if (suppressed[i]) continue;
                kept.Add((c, ranked[i].Scores[c], ranked[i].Box));
                for (int j = i + 1; j < ranked.Count; j++)
                    if (Iou(ranked[i].Box, ranked[j].Box) > nms) suppressed[j] = true;
            }
        }
        return kept;
    }

    // darknet's box_iou on corners: the overlap's area over the union's, 0 where they do not meet.
    private static float Iou(float[] a, float[] b)
    {
        float w = Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]), h = Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]);
        if (w <= 0 || h <= 0) return 0;
        float intersection = w * h;
        return intersection / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection);
    }

    // Relative for scores that can pass a threshold; below 1e-3, where float32's logistic tails differ, 1e-7 absolute.
    internal static double ScoreError(float actual, float expected) =>
        Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-3);

    // A corner's error as a share of the input size; of the coordinate itself where it lies far outside the image (a
    // synthetic network's e^tw can be huge), as float32 holds it no closer.
    internal static double BoxError(float actual, float expected, int width, int height) =>
        Math.Abs(actual - expected) / Math.Max(Math.Max(width, height), Math.Abs(expected));

    // darknet's relative (x, y, w, h) as corners in input pixels, as the export gives them.
    private static float[] Corners(DarknetLibrary.Detection d, int width, int height) => new[]
    {
        (d.X - d.W / 2) * width, (d.Y - d.H / 2) * height, (d.X + d.W / 2) * width, (d.Y + d.H / 2) * height,
    };

    internal static Func<string, Dictionary<string, float[]>> RunWith(TestNetwork network, Dictionary<string, float>? thresholds = null) => model =>
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(network.Input, new[] { 1, network.Layout.Channels, network.Height, network.Width })),
        };
        foreach (var (name, value) in thresholds ?? new Dictionary<string, float>())
            inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(new[] { value }, new[] { 1 })));
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    };

    private static Dictionary<string, float[]> Export(TestNetwork network, OnnxOutputs outputs, Func<string, Dictionary<string, float[]>> run) =>
        run(ExportModel(network, outputs));

    /// <summary>Exports <paramref name="network"/> with <paramref name="outputs"/> next to its cfg; returns the model's path.</summary>
    internal static string ExportModel(TestNetwork network, OnnxOutputs outputs)
    {
        var path = network.OnnxPath.Replace(".onnx", "-" + OnnxExportOptions.Name(outputs) + ".onnx");
        DarknetConverter.ConvertFile(NetworkLayout.FromCfgFile(network.CfgPath), network.WeightsPath, path,
            new ConversionOptions { Format = OutputFormat.Onnx, Onnx = new OnnxExportOptions { Outputs = outputs } });
        return path;
    }
}
