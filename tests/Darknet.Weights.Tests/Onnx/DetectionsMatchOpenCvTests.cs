using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// The <c>boxes</c> and <c>detections</c> exports of AlexeyAB's decodings, which pjreddie's libdarknet does not have
/// (scale_x_y in YOLOv4 and YOLOv4-tiny; new_coords with scale_x_y in Scaled-YOLOv4 and YOLOv7-tiny), against OpenCV's
/// Darknet importer, whose [yolo] layers output decoded candidates: per cell row by row and each cell's anchor, the box's
/// relative x, y, w, h, the objectness, and objectness × class probability per class, the latter zeroed at or below the
/// layer's thresh= (0.2 by default, which the importer takes from the cfg). OpenCV reads a copy of the cfg whose [yolo]
/// sections say thresh=-1, so it keeps every score; darknet's [yolo] reads no such option. The detections expected are
/// OpenCV's candidates through darknet's threshold and do_nms_sort (plain IoU, as the export promises; AlexeyAB's
/// <c>detector test</c> would compare DIoU for these cfgs' nms_kind=), written out in the test. Tolerances as in
/// <see cref="DetectionsMatchDarknetTests"/>. Each network, OpenCV's candidates and the exports are made once for the class.
/// </summary>
public sealed class DetectionsMatchOpenCvTests : IClassFixture<DetectionsMatchOpenCvTests.Networks>
{
    private readonly Networks _networks;
    private readonly ITestOutputHelper _output;

    public DetectionsMatchOpenCvTests(Networks networks, ITestOutputHelper output)
    {
        _networks = networks;
        _output = output;
    }

    [SkippableTheory]
    [InlineData("yolov4-tiny.cfg", 128, 96)]
    [InlineData("yolov4.cfg", 128, 96)]
    [InlineData("yolov4-csp.cfg", 128, 96)]
    [InlineData("yolov7-tiny.cfg", 128, 96)]
    public void Boxes_and_scores_are_opencvs_decoded_candidates(string cfg, int width, int height)
    {
        var prepared = _networks.Get(cfg, width, height);
        var network = prepared.Network;
        var outputs = DetectionsMatchDarknetTests.RunWith(network)(prepared.Model(OnnxOutputs.Boxes));
        var boxes = outputs["boxes"];
        var scores = outputs["scores"];
        var opencv = prepared.Candidates;
        int classes = prepared.Classes;

        Assert.Equal(opencv.Count * 4, boxes.Length);
        Assert.Equal(opencv.Count * classes, scores.Length);
        double worstScore = 0, worstBox = 0;
        for (int b = 0; b < opencv.Count; b++)
        {
            var (box, prob) = opencv[b];
            for (int k = 0; k < 4; k++) worstBox = Math.Max(worstBox, DetectionsMatchDarknetTests.BoxError(boxes[b * 4 + k], box[k], width, height));
            for (int c = 0; c < classes; c++) worstScore = Math.Max(worstScore, DetectionsMatchDarknetTests.ScoreError(scores[b * classes + c], prob[c]));
        }
        var above = new[] { .4f, .38f, .36f, .34f, .32f, .3f, .25f }.Select(t => $"{t}: {opencv.Sum(d => d.Scores.Count(p => p > t))}");
        _output.WriteLine($"{cfg} at {width}x{height}: {opencv.Count} candidates x {classes} classes; worst score error {worstScore:E2}, " +
                          $"worst box error {worstBox:E2} of the input size; class scores above {string.Join(", ", above)}");
        Assert.True(worstScore <= DetectionsMatchDarknetTests.ScoreTolerance, $"worst relative score error {worstScore:E3}");
        Assert.True(worstBox <= DetectionsMatchDarknetTests.BoxTolerance, $"worst box error {worstBox:E3} of the input size");
    }

    [SkippableTheory]
    // Thresholds where the synthetic networks' scores (objectness × class, both near 1/2) give tens to hundreds of
    // detections, and once darknet's defaults.
    [InlineData("yolov4-tiny.cfg", 128, 96, .32f, .45f)]
    [InlineData("yolov4-tiny.cfg", 128, 96, .25f, .45f)]
    [InlineData("yolov4.cfg", 128, 96, .38f, .2f)]
    [InlineData("yolov4-csp.cfg", 128, 96, .36f, .45f)]
    [InlineData("yolov7-tiny.cfg", 128, 96, .36f, .3f)]
    public void Detections_are_opencvs_candidates_after_darknets_threshold_and_nms(string cfg, int width, int height, float thresh, float nms)
    {
        var prepared = _networks.Get(cfg, width, height);
        bool defaults = thresh == Suppression.DefaultScoreThreshold && nms == Suppression.DefaultIouThreshold;
        var run = DetectionsMatchDarknetTests.RunWith(prepared.Network,
            defaults ? null : new Dictionary<string, float> { ["score_threshold"] = thresh, ["iou_threshold"] = nms });
        var rows = run(prepared.Model(OnnxOutputs.Detections))["detections"];
        var ours = Enumerable.Range(0, rows.Length / 7).Select(i => rows.AsSpan(i * 7, 7).ToArray()).ToList();

        var expected = DetectionsMatchDarknetTests.DoNmsSort(prepared.Candidates, prepared.Classes, thresh, nms);
        int above = prepared.Candidates.Sum(d => d.Scores.Count(p => p > thresh));
        var compared = DetectionsMatchDarknetTests.CompareDetections(ours, expected, thresh, width, height);
        _output.WriteLine($"{cfg} at {width}x{height}, threshold {thresh}, nms {nms}: {expected.Count} detections from OpenCV's {above} candidates' scores above the threshold, {ours.Count} by the export; " +
                          $"worst score error {compared.WorstScore:E2}, worst box error {compared.WorstBox:E2} of the input size");
        Assert.True(expected.Count > 0, "OpenCV found nothing to compare: pick a lower threshold");
        Assert.Empty(compared.Unmatched);
    }

    /// <summary>A network made ready once, with OpenCV's decoded candidates on its input and its exports, made on demand.</summary>
    internal sealed class Prepared
    {
        private readonly Dictionary<OnnxOutputs, string> _models = new();

        public Prepared(TestNetwork network, int classes, List<(float[] Box, float[] Scores)> candidates)
        {
            Network = network;
            Classes = classes;
            Candidates = candidates;
        }

        public TestNetwork Network { get; }

        public int Classes { get; }

        /// <summary>OpenCV's candidates of every [yolo] head in cfg order: corners in input pixels, per-class scores.</summary>
        public IReadOnlyList<(float[] Box, float[] Scores)> Candidates { get; }

        public string Model(OnnxOutputs outputs)
        {
            if (!_models.TryGetValue(outputs, out var path))
                _models[outputs] = path = DetectionsMatchDarknetTests.ExportModel(Network, outputs);
            return path;
        }
    }

    public sealed class Networks : IDisposable
    {
        private readonly Dictionary<string, Prepared> _prepared = new();
        private readonly List<TempDirectory> _folders = new();

        internal Prepared Get(string cfg, int width, int height)
        {
            OpenCvDarknet.Require();
            var cfgPath = Path.Combine(Path.GetDirectoryName(SharedFiles.RequireCfgDirectory())!, "cfg-alexeyab", cfg);
            Skip.IfNot(File.Exists(cfgPath), cfgPath + " is missing");
            var key = $"{cfg} {width}x{height}";
            if (_prepared.TryGetValue(key, out var prepared)) return prepared;

            var folder = new TempDirectory();
            _folders.Add(folder);
            var network = new TestNetwork(folder, cfgPath, width, height);
            int classes = network.Layout.Layers.First(l => l.Head != null).Head!.Classes;
            _prepared[key] = prepared = new Prepared(network, classes, Candidates(network, folder.Path, classes));
            return prepared;
        }

        public void Dispose() => _folders.ForEach(f => f.Dispose());

        private static List<(float[] Box, float[] Scores)> Candidates(TestNetwork network, string folder, int classes)
        {
            var lines = File.ReadAllLines(network.CfgPath).SelectMany(line =>
                line.Trim().Equals("[yolo]", StringComparison.OrdinalIgnoreCase) ? new[] { line, "thresh=-1" } : new[] { line });
            var cfgPath = Path.Combine(folder, "opencv.cfg");
            File.WriteAllLines(cfgPath, lines);
            var heads = network.Layout.Layers.Where(l => l.Type == LayerType.Yolo).Select(l => "yolo_" + l.Index).ToArray();
            var outputs = OpenCvDarknet.Forward(cfgPath, network.WeightsPath, network.Input, network.Layout.Channels, network.Height, network.Width, folder, heads);
            int entries = 5 + classes;
            var result = new List<(float[] Box, float[] Scores)>();
            foreach (var rows in outputs)
            {
                for (int r = 0; r < rows.Length / entries; r++)
                {
                    var row = rows.AsSpan(r * entries, entries);
                    float x = row[0] * network.Width, y = row[1] * network.Height, w = row[2] * network.Width, h = row[3] * network.Height;
                    result.Add((new[] { x - w / 2, y - h / 2, x + w / 2, y + h / 2 }, row.Slice(5).ToArray()));
                }
            }
            return result;
        }
    }
}
