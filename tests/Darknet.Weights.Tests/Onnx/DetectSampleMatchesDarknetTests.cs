using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// samples/Detect against pjreddie's libdarknet: its Letterbox.cs (compiled into this assembly) feeds the network the
/// floats darknet's load_image_color + letterbox_image make of the same file, and maps boxes back as darknet's
/// correct_yolo_boxes does; its model, exported with detections, finds on its scene what darknet's own detector finds.
/// </summary>
public sealed class DetectSampleMatchesDarknetTests
{
    private const int NetWidth = 160, NetHeight = 160, Classes = 2;
    private readonly ITestOutputHelper _output;

    public DetectSampleMatchesDarknetTests(ITestOutputHelper output) => _output = output;

    [SkippableTheory]
    [InlineData(0, 0)]     // the sample's scene.png, 320x240: scaled to 160x120, 20 rows of grey above and below
    [InlineData(101, 131)] // scaled to 123x160: an odd margin (37 columns)
    [InlineData(300, 63)]  // scaled to 160x33
    [InlineData(203, 203)] // scaled to 160x160, no margin
    [InlineData(160, 160)] // no resize
    public void The_samples_letterbox_gives_darknets_input(int width, int height)
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var path = width == 0 ? Scene() : NoiseImage(temp, width, height);

        var (expected, imageWidth, imageHeight) = DarknetLibrary.Letterbox(path, NetWidth, NetHeight);
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal((imageWidth, imageHeight), (bitmap.Width, bitmap.Height));
        var ours = new Letterbox(bitmap.Width, bitmap.Height, NetWidth, NetHeight).Apply(bitmap);

        Assert.Equal(new[] { 1, 3, NetHeight, NetWidth }, ours.Dimensions.ToArray());
        var actual = ours.ToArray();
        var worst = Enumerable.Range(0, expected.Length).Max(i => Math.Abs(actual[i] - expected[i]));
        _output.WriteLine($"{Path.GetFileName(path)} {imageWidth}x{imageHeight}: worst difference {worst:E2}");
        Assert.True(worst <= 1e-6, $"worst difference {worst:E3} from darknet's letterboxed input");
    }

    [SkippableFact]
    public void The_samples_model_finds_in_its_scene_what_darknet_finds()
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var (cfg, weights) = Model();
        using var bitmap = SKBitmap.Decode(Scene());
        var letterbox = new Letterbox(bitmap.Width, bitmap.Height, NetWidth, NetHeight);
        var rows = Run(Export(temp, OnnxOutputs.Detections), letterbox.Apply(bitmap))["detections"];
        var ours = Enumerable.Range(0, rows.Length / 7)
            .Select(i => (Class: (int)rows[i * 7 + 1], Score: rows[i * 7 + 2], Box: letterbox.ToImage(rows[i * 7 + 3], rows[i * 7 + 4], rows[i * 7 + 5], rows[i * 7 + 6])))
            .ToList();

        var (input, w, h) = DarknetLibrary.Letterbox(Scene(), NetWidth, NetHeight);
        var darknet = DarknetLibrary.Detect(cfg, weights, input, w, h, Classes, Suppression.DefaultScoreThreshold, Suppression.DefaultIouThreshold)
            .SelectMany(d => d.Prob.Select((p, c) => (Class: c, Score: p, Box: new SKRect((d.X - d.W / 2) * w, (d.Y - d.H / 2) * h, (d.X + d.W / 2) * w, (d.Y + d.H / 2) * h))))
            .Where(e => e.Score > Suppression.DefaultScoreThreshold).OrderBy(e => e.Class).ToList();
        foreach (var d in darknet) _output.WriteLine($"darknet: class {d.Class} score {d.Score:F4} box {d.Box}");
        foreach (var o in ours) _output.WriteLine($"sample:  class {o.Class} score {o.Score:F4} box {o.Box}");

        // The shapes images/make-scene.cs drew: a red square at x 32..128, y 24..120 and a blue disc of radius 48 at (240, 104).
        Assert.Equal(new[] { 0, 1 }, darknet.Select(d => d.Class));
        AssertNear(new SKRect(32, 24, 128, 120), darknet[0].Box, .01f);
        AssertNear(new SKRect(192, 56, 288, 152), darknet[1].Box, .01f);
        Assert.Equal(darknet.Select(d => d.Class), ours.Select(o => o.Class));
        for (var i = 0; i < ours.Count; i++)
        {
            Assert.True(Math.Abs(ours[i].Score - darknet[i].Score) <= 1e-4 * darknet[i].Score, $"score {ours[i].Score} against darknet's {darknet[i].Score}");
            AssertNear(darknet[i].Box, ours[i].Box, .01f);
        }
    }

    /// <summary>
    /// Every candidate box (the boxes export, darknet at threshold 0) mapped to images whose margins are odd or wide: the
    /// sample's corners are darknet's (relative to the image, times its size), clipped to the image as darknet draws.
    /// </summary>
    [SkippableTheory]
    [InlineData(101, 131)]
    [InlineData(300, 63)]
    public void The_samples_boxes_map_back_as_darknets(int width, int height)
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var (cfg, weights) = Model();
        var path = NoiseImage(temp, width, height);
        using var bitmap = SKBitmap.Decode(path);
        var letterbox = new Letterbox(width, height, NetWidth, NetHeight);
        var boxes = Run(Export(temp, OnnxOutputs.Boxes), letterbox.Apply(bitmap))["boxes"];

        var (input, w, h) = DarknetLibrary.Letterbox(path, NetWidth, NetHeight);
        var darknet = DarknetLibrary.Detect(cfg, weights, input, w, h, Classes, 0f, null);
        Assert.Equal(darknet.Count * 4, boxes.Length);
        float worst = 0;
        for (var b = 0; b < darknet.Count; b++)
        {
            var d = darknet[b];
            var expected = new SKRect(Math.Clamp((d.X - d.W / 2) * w, 0, w - 1), Math.Clamp((d.Y - d.H / 2) * h, 0, h - 1),
                                      Math.Clamp((d.X + d.W / 2) * w, 0, w - 1), Math.Clamp((d.Y + d.H / 2) * h, 0, h - 1));
            var actual = letterbox.ToImage(boxes[b * 4], boxes[b * 4 + 1], boxes[b * 4 + 2], boxes[b * 4 + 3]);
            worst = Math.Max(worst, Error(expected, actual));
        }
        _output.WriteLine($"{width}x{height}: {darknet.Count} candidates, worst corner difference {worst:E2} pixels");
        Assert.True(worst <= .01f, $"worst corner difference {worst} pixels");
    }

    private static void AssertNear(SKRect expected, SKRect actual, float pixels) =>
        Assert.True(Error(expected, actual) <= pixels, $"{actual} is not within {pixels} pixels of {expected}");

    private static float Error(SKRect a, SKRect b) =>
        new[] { a.Left - b.Left, a.Top - b.Top, a.Right - b.Right, a.Bottom - b.Bottom }.Max(Math.Abs);

    private static string Export(TempDirectory temp, OnnxOutputs outputs)
    {
        var (cfg, weights) = Model();
        var path = temp.File("shapes-" + OnnxExportOptions.Name(outputs) + ".onnx");
        DarknetConverter.ConvertFile(NetworkLayout.FromCfgFile(cfg), weights, path,
            new ConversionOptions { Format = OutputFormat.Onnx, Onnx = new OnnxExportOptions { Outputs = outputs } });
        return path;
    }

    private static Dictionary<string, float[]> Run(string model, DenseTensor<float> input)
    {
        using var session = new InferenceSession(model);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", input) });
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    // Seeded RGB noise as a PNG, which darknet (OpenCV's imread) and SkiaSharp decode to the same bytes.
    private static string NoiseImage(TempDirectory temp, int width, int height)
    {
        var random = new Random(width * 1000 + height);
        using var bitmap = new SKBitmap(width, height);
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
            bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        var path = temp.File($"noise-{width}x{height}.png");
        using (var file = File.Create(path)) bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
        return path;
    }

    private static string Scene() => Path.Combine(SampleDirectory(), "images", "scene.png");

    private static (string Cfg, string Weights) Model() =>
        (Path.Combine(SampleDirectory(), "model", "shapes.cfg"), Path.Combine(SampleDirectory(), "model", "shapes.weights"));

    private static string SampleDirectory()
    {
        var relative = Path.Combine("samples", "Detect");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new DirectoryNotFoundException(relative + " above " + AppContext.BaseDirectory);
    }
}
