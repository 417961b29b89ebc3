using System.Globalization;
using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// AlexeyAB's [Gaussian_yolo] decoding in the <c>boxes</c> and <c>detections</c> exports, against a numpy transcription
/// of its forward_gaussian_yolo_layer and get_gaussian_yolo_detections (gaussian_yolo_layer.c) applied to the raw conv
/// outputs pjreddie's libdarknet computes: neither libdarknet nor OpenCV's importer knows [Gaussian_yolo]. On a cfg of
/// the test's own whose heads take their conv through a [route], so that every conv ends a cfg libdarknet can read;
/// the heads cover scale_x_y, masks in another order and all three yolo_point values. Tolerances as in
/// <see cref="DetectionsMatchDarknetTests"/>.
/// </summary>
public sealed class GaussianYoloDecodingTests
{
    private const int Classes = 4;

    private const string Cfg = """
        [net]
        width=64
        height=48
        channels=3

        [convolutional]
        batch_normalize=1
        filters=16
        size=3
        stride=2
        pad=1
        activation=leaky

        [convolutional]
        batch_normalize=1
        filters=32
        size=3
        stride=2
        pad=1
        activation=leaky

        [convolutional]
        filters=39
        size=1
        activation=linear

        [route]
        layers=0

        [convolutional]
        filters=26
        size=1
        activation=linear

        [route]
        layers=1

        [convolutional]
        filters=13
        size=1
        activation=linear

        [route]
        layers=2

        [Gaussian_yolo]
        mask=3,4,5
        anchors=7,10, 14,24, 27,43, 32,97, 57,64, 92,109
        classes=4
        num=6
        scale_x_y=1.1

        [route]
        layers=4

        [Gaussian_yolo]
        mask=1,0
        anchors=7,10, 14,24, 27,43, 32,97, 57,64, 92,109
        classes=4
        num=6
        yolo_point=left_top

        [route]
        layers=6

        [Gaussian_yolo]
        mask=2
        anchors=7,10, 14,24, 27,43, 32,97, 57,64, 92,109
        classes=4
        num=6
        yolo_point=right_bottom
        """;

    // forward_gaussian_yolo_layer, then get_gaussian_yolo_detections at thresh (correct_gaussian_yolo_boxes at the
    // network's own size changes nothing), as the C code runs; one row per candidate: x, y, w, h, each class's prob.
    private const string Script = """
        import sys, json
        import numpy as np
        heads, out_path, thresh = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3])
        def logistic(x):
            return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(np.float32)
        rows = []
        for hd in heads:
            n, classes, lh, lw, s = len(hd['mask']), hd['classes'], hd['h'], hd['w'], np.float32(hd['scale_x_y'])
            out = np.fromfile(hd['raw'], dtype='<f4').reshape(n, 9 + classes, lh, lw).copy()
            for a in range(n):
                for entry in [0, 1, 2, 3, 5, 7] + list(range(8, 9 + classes)):
                    out[a, entry] = logistic(out[a, entry])
                for entry in (0, 2):
                    out[a, entry] = out[a, entry] * s + np.float32(-0.5 * (s - 1))
            biases = hd['anchors']
            for i in range(lw * lh):
                row, col = i // lw, i % lw
                for a in range(n):
                    v = out[a, :, row, col]
                    objectness = v[8]
                    if objectness <= thresh:
                        continue
                    m = hd['mask'][a]
                    bw = np.float32(np.exp(v[4]) * biases[2 * m] / hd['netw'])
                    bh = np.float32(np.exp(v[6]) * biases[2 * m + 1] / hd['neth'])
                    bx = np.float32((col + v[0]) / lw)
                    by = np.float32((row + v[2]) / lh)
                    if hd['point'] == 'left_top':
                        bx, by = bx + bw / 2, by + bh / 2
                    elif hd['point'] == 'right_bottom':
                        bx, by = bx - bw / 2, by - bh / 2
                    uc_aver = (v[1] + v[3] + v[5] + v[7]) / 4.0
                    probs = []
                    for j in range(classes):
                        prob = np.float32(objectness * v[9 + j] * (1.0 - uc_aver))
                        probs.append(prob if prob > thresh else 0)
                    rows.append([bx, by, bw, bh] + probs)
        np.asarray(rows, dtype='<f4').tofile(out_path)
        print(len(rows))
        """;

    private readonly ITestOutputHelper _output;

    public GaussianYoloDecodingTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public void Boxes_and_scores_are_get_gaussian_yolo_detections_candidates()
    {
        using var temp = new TempDirectory();
        var network = Network(temp);
        var outputs = DetectionsMatchDarknetTests.RunWith(network)(DetectionsMatchDarknetTests.ExportModel(network, OnnxOutputs.Boxes));
        var boxes = outputs["boxes"];
        var scores = outputs["scores"];
        var expected = Candidates(network, temp.Path, 0f);

        Assert.Equal(expected.Count * 4, boxes.Length);
        Assert.Equal(expected.Count * Classes, scores.Length);
        double worstScore = 0, worstBox = 0;
        for (int b = 0; b < expected.Count; b++)
        {
            var (box, prob) = expected[b];
            for (int k = 0; k < 4; k++) worstBox = Math.Max(worstBox, DetectionsMatchDarknetTests.BoxError(boxes[b * 4 + k], box[k], network.Width, network.Height));
            for (int c = 0; c < Classes; c++) worstScore = Math.Max(worstScore, DetectionsMatchDarknetTests.ScoreError(scores[b * Classes + c], prob[c]));
        }
        var above = new[] { .25f, .2f, .15f, .12f, .1f }.Select(t => $"{t}: {expected.Sum(d => d.Scores.Count(p => p > t))}");
        _output.WriteLine($"{expected.Count} candidates x {Classes} classes; worst score error {worstScore:E2}, worst box error {worstBox:E2} of the input size; " +
                          $"class scores above {string.Join(", ", above)}");
        Assert.True(worstScore <= DetectionsMatchDarknetTests.ScoreTolerance, $"worst relative score error {worstScore:E3}");
        Assert.True(worstBox <= DetectionsMatchDarknetTests.BoxTolerance, $"worst box error {worstBox:E3} of the input size");
    }

    [SkippableTheory]
    // A threshold where the synthetic network's scores (objectness × class × certainty, each near 1/2) give hundreds of
    // detections, and darknet's defaults, which leave tens.
    [InlineData(.15f, .45f)]
    [InlineData(.25f, .45f)]
    public void Detections_are_get_gaussian_yolo_detections_after_do_nms_sort(float thresh, float nms)
    {
        using var temp = new TempDirectory();
        var network = Network(temp);
        bool defaults = thresh == Suppression.DefaultScoreThreshold && nms == Suppression.DefaultIouThreshold;
        var run = DetectionsMatchDarknetTests.RunWith(network,
            defaults ? null : new Dictionary<string, float> { ["score_threshold"] = thresh, ["iou_threshold"] = nms });
        var rows = run(DetectionsMatchDarknetTests.ExportModel(network, OnnxOutputs.Detections))["detections"];
        var ours = Enumerable.Range(0, rows.Length / 7).Select(i => rows.AsSpan(i * 7, 7).ToArray()).ToList();

        var candidates = Candidates(network, temp.Path, thresh);
        var expected = DetectionsMatchDarknetTests.DoNmsSort(candidates, Classes, thresh, nms);
        int above = candidates.Sum(d => d.Scores.Count(p => p > thresh));
        var compared = DetectionsMatchDarknetTests.CompareDetections(ours, expected, thresh, network.Width, network.Height);
        _output.WriteLine($"threshold {thresh}, nms {nms}: {expected.Count} detections from the transcription's {above} scores above the threshold, {ours.Count} by the export; " +
                          $"worst score error {compared.WorstScore:E2}, worst box error {compared.WorstBox:E2} of the input size");
        Assert.True(expected.Count > 0, "nothing to compare: pick a lower threshold");
        Assert.Empty(compared.Unmatched);
    }

    private static TestNetwork Network(TempDirectory temp)
    {
        DarknetLibrary.Require();
        Darknet.Testing.Numpy.Require();
        var cfg = temp.File("gaussian.cfg");
        File.WriteAllText(cfg, Cfg);
        return new TestNetwork(temp, cfg, network: true);
    }

    // The transcription's candidates of every head in cfg order, at thresh (0: all), as corners in input pixels.
    private static List<(float[] Box, float[] Scores)> Candidates(TestNetwork network, string folder, float thresh)
    {
        var heads = new List<Dictionary<string, object>>();
        foreach (var layer in network.Layout.Layers.Where(l => l.Type == LayerType.GaussianYolo))
        {
            var route = network.Layout.Layers[layer.Index - 1];
            int conv = route.Sources![0];
            var raw = DarknetLibrary.Predict(network.CfgEndingAt(conv), network.WeightsPath, network.Input, route.OutputChannels * route.OutputHeight * route.OutputWidth);
            var rawPath = Path.Combine(folder, $"raw_{conv}.bin");
            var bytes = new byte[raw.Length * 4];
            Buffer.BlockCopy(raw, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(rawPath, bytes);
            var section = Darknet.Weights.Config.CfgReader.ReadFile(network.CfgPath)[layer.Index + 1];
            heads.Add(new Dictionary<string, object>
            {
                ["raw"] = rawPath,
                ["mask"] = layer.Head!.Mask!,
                ["anchors"] = layer.Head.Anchors,
                ["classes"] = layer.Head.Classes,
                ["scale_x_y"] = layer.Head.ScaleXY,
                ["point"] = section.GetString("yolo_point") ?? "center",
                ["w"] = layer.OutputWidth,
                ["h"] = layer.OutputHeight,
                ["netw"] = network.Width,
                ["neth"] = network.Height,
            });
        }
        var outPath = Path.Combine(folder, "candidates.bin");
        Darknet.Testing.Numpy.RunScript(Script, System.Text.Json.JsonSerializer.Serialize(heads), outPath, thresh.ToString("R", CultureInfo.InvariantCulture));
        var values = File.ReadAllBytes(outPath);
        var floats = new float[values.Length / 4];
        Buffer.BlockCopy(values, 0, floats, 0, values.Length);
        int entries = 4 + Classes;
        return Enumerable.Range(0, floats.Length / entries).Select(r =>
        {
            var row = floats.AsSpan(r * entries, entries);
            float x = row[0] * network.Width, y = row[1] * network.Height, w = row[2] * network.Width, h = row[3] * network.Height;
            return (new[] { x - w / 2, y - h / 2, x + w / 2, y + h / 2 }, row.Slice(4).ToArray());
        }).ToList();
    }
}
