using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Darknet.Testing;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Onnx.Runtimes;

/// <summary>
/// The guide's snippets for each runtime (docs/guide.md, its "Runtimes" paragraph) run here as written, on yolov4-tiny at its own
/// 416x416 with synthetic weights, and give ONNX Runtime's outputs; a doc test keeps every snippet line for line in
/// this file, and the package versions it names those this project references.
/// </summary>
[Collection(RuntimesCollection.Name)]
public sealed class ReadmeSnippetsTests
{
    public const string Heading = "**Runtimes**:";

    // The guide's Python snippet; run in a folder holding yolov4-tiny.onnx (the boxes export) and dog.jpg.
    private const string PythonSnippet = """
        import cv2

        net = cv2.dnn.readNetFromONNX("yolov4-tiny.onnx")  # OnnxOutputs="boxes", or a layers export with OnnxInputSize
        blob = cv2.dnn.blobFromImage(cv2.imread("dog.jpg"), 1 / 255, (416, 416), swapRB=True)  # stretched, not letterboxed
        net.setInput(blob)
        boxes, scores = net.forward(["boxes", "scores"])  # [1, B, 4]: x1, y1, x2, y2 in input pixels; [1, B, 80]
        """;

    private readonly RuntimeExports _exports;
    private readonly ITestOutputHelper _log;

    public ReadmeSnippetsTests(RuntimeExports exports, ITestOutputHelper log)
    {
        _exports = exports;
        _log = log;
    }

    [SkippableFact]
    public void The_onnx_runtime_snippet_runs()
    {
        var network = _exports.Get(RuntimeExports.Readme);
        float[] pixels = network.Test.Input;
        using var model = new ModelBesideTheTests(network.Export(RuntimeExports.Boxes));

        using var session = new InferenceSession(Path.Combine(AppContext.BaseDirectory, "yolov4-tiny.onnx"));
        var image = new DenseTensor<float>(pixels, new[] { 1, 3, 416, 416 }); // RGB in [0, 1], NCHW, letterboxed
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", image) });
        var boxes = results.Single(r => r.Name == "boxes").AsTensor<float>();   // [1, B, 4]: x1, y1, x2, y2 in input pixels
        var scores = results.Single(r => r.Name == "scores").AsTensor<float>(); // [1, B, 80]: objectness × class score

        var expected = network.Reference(RuntimeExports.Boxes, 1);
        Assert.True(OnnxRun.MaxRelativeError(boxes.ToArray(), expected[0].Values) <= 1e-5);
        Assert.True(OnnxRun.MaxRelativeError(scores.ToArray(), expected[1].Values) <= 1e-5);
        Assert.Equal(new[] { 1, 2535, 4 }, boxes.Dimensions.ToArray());
    }

    [SkippableFact]
    public void The_opencvsharp_snippet_runs()
    {
        var network = _exports.Get(RuntimeExports.Readme);
        string imagePath = SharedFiles.RequireData("dog.jpg");
        using var model = new ModelBesideTheTests(network.Export(RuntimeExports.Boxes));
        using var console = new CapturedConsole();

        using var net = CvDnn.ReadNetFromOnnx(Path.Combine(AppContext.BaseDirectory, "yolov4-tiny.onnx"))!;
        using var image = Cv2.ImRead(imagePath);
        using var blob = CvDnn.BlobFromImage(image, 1 / 255.0, new Size(416, 416), swapRB: true); // stretched, not letterboxed
        net.SetInput(blob);
        using var boxes = new Mat();
        using var scores = new Mat();
        net.Forward(new[] { boxes, scores }, new[] { "boxes", "scores" }); // [1, B, 4]: x1, y1, x2, y2 in input pixels; [1, B, 80]
        int count = boxes.Size(1);
        using var corners = boxes.Reshape(1, count);      // [B, 4]
        using var classScores = scores.Reshape(1, count); // [B, 80]
        var cornerRows = corners.AsRows<float>();
        var scoreRows = classScores.AsRows<float>();
        var rects = new List<Rect>();
        var confidences = new List<float>();
        var classIds = new List<int>();
        for (int i = 0; i < count; i++)
        {
            Span<float> row = scoreRows[i], box = cornerRows[i];
            int best = 0;
            for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
            if (row[best] <= 0.25f) continue;
            rects.Add(new Rect((int)box[0], (int)box[1], (int)(box[2] - box[0]), (int)(box[3] - box[1])));
            confidences.Add(row[best]);
            classIds.Add(best);
        }
        CvDnn.NMSBoxes(rects, confidences, 0.25f, 0.45f, out int[] kept); // over all classes at once, unlike darknet's per-class NMS
        foreach (int i in kept) Console.WriteLine($"class {classIds[i]} score {confidences[i]:F2} {rects[i]}"); // in the 416x416 input's pixels

        var input = new float[blob.Total()];
        Marshal.Copy(blob.Data, input, 0, input.Length);
        var expected = network.RunOrt(network.Export(RuntimeExports.Boxes), input, 1);
        var actual = new[] { boxes, scores }.Select(m =>
        {
            var values = new float[m.Total()];
            Marshal.Copy(m.Data, values, 0, values.Length);
            return values;
        }).ToArray();
        for (int k = 0; k < 2; k++)
        {
            var error = OnnxRun.MaxRelativeError(actual[k], expected[k].Values);
            _log.WriteLine($"OpenCvSharp snippet {expected[k].Name}: max relative error {error:E2} vs ONNX Runtime; {kept.Length} boxes kept of {rects.Count}");
            Assert.True(error <= MatchesDarknetTests.Tolerance, $"{expected[k].Name}: max relative error {error:E3}");
        }
        Assert.NotEmpty(kept);
        Assert.Equal(kept.Length, console.Lines);
    }

    [SkippableFact]
    public void The_mlnet_snippet_runs()
    {
        var network = _exports.Get(RuntimeExports.Readme);
        float[] pixels = network.Test.Input;
        using var model = new ModelBesideTheTests(network.Export(RuntimeExports.Detections));
        using var console = new CapturedConsole();

        var ml = new MLContext();
        var images = ml.Data.LoadFromEnumerable(new[] { new Image { Input = pixels } }); // RGB in [0, 1], NCHW, letterboxed
        var transformer = ml.Transforms.ApplyOnnxModel(Path.Combine(AppContext.BaseDirectory, "yolov4-tiny.onnx")).Fit(images);
        float[] rows = transformer.Transform(images).GetColumn<float[]>("detections").First(); // M rows of 7, one after the other
        for (int i = 0; i < rows.Length; i += 7) // batch, class, score, x1, y1, x2, y2 (in input pixels)
            Console.WriteLine($"class {rows[i + 1]} score {rows[i + 2]:F2} box {rows[i + 3]:F0},{rows[i + 4]:F0} {rows[i + 5]:F0},{rows[i + 6]:F0}");

        var expected = network.Reference(RuntimeExports.Detections, 1, defaults: true).Single().Values;
        _log.WriteLine($"ML.NET snippet: {rows.Length / 7} detections");
        Assert.NotEmpty(rows);
        Assert.Equal(rows.Length / 7, console.Lines);
        Assert.True(OnnxRun.MaxRelativeError(rows, expected) <= 1e-5);
    }

    [SkippableFact]
    public void The_python_opencv_snippet_runs()
    {
        OpenCv.Require();
        var network = _exports.Get(RuntimeExports.Readme);
        var folder = Path.Combine(Path.GetDirectoryName(network.Test.OnnxPath)!, "python-snippet");
        Directory.CreateDirectory(folder);
        File.Copy(network.Export(RuntimeExports.Boxes), Path.Combine(folder, "yolov4-tiny.onnx"), overwrite: true);
        File.Copy(SharedFiles.RequireData("dog.jpg"), Path.Combine(folder, "dog.jpg"), overwrite: true);
        var script = "import os, sys\nos.chdir(sys.argv[1])\n" + PythonSnippet +
                     "\nfor name, a in (('blob', blob), ('boxes', boxes), ('scores', scores)):\n    a.astype('<f4').tofile(name + '.bin')\n";
        Darknet.Testing.Numpy.RunScript(script, folder);

        float[] Read(string name)
        {
            var raw = File.ReadAllBytes(Path.Combine(folder, name + ".bin"));
            var values = new float[raw.Length / 4];
            Buffer.BlockCopy(raw, 0, values, 0, raw.Length);
            return values;
        }
        var expected = network.RunOrt(network.Export(RuntimeExports.Boxes), Read("blob"), 1);
        foreach (var output in expected)
        {
            var error = OnnxRun.MaxRelativeError(Read(output.Name), output.Values);
            _log.WriteLine($"python snippet {output.Name}: max relative error {error:E2} vs ONNX Runtime");
            Assert.True(error <= MatchesDarknetTests.Tolerance, $"{output.Name}: max relative error {error:E3}");
        }
    }

    [SkippableFact]
    public void The_guide_shows_these_snippets_and_packages()
    {
        var root = RepositoryRoot();
        Skip.If(root == null, "the tests run outside the repository");
        var readme = File.ReadAllText(Path.Combine(root!, "docs", "guide.md")).ReplaceLineEndings("\n");
        int start = readme.IndexOf("\n" + Heading + " ", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/guide.md has no paragraph " + Heading);
        var end = Regex.Match(readme.Substring(start + Heading.Length), @"\n(\*\*|#)"); // the next paragraph of its kind, or heading
        var section = readme.Substring(start, end.Success ? end.Index + Heading.Length : readme.Length - start);

        var source = File.ReadAllLines(Path.Combine(root!, "tests", "Darknet.Weights.Tests", "Onnx", "Runtimes", "ReadmeSnippetsTests.cs"))
            .Select(l => l.Trim()).ToArray();
        var blocks = Regex.Matches(section, @"```(csharp|python)\n(.*?)```", RegexOptions.Singleline);
        Assert.Equal(4, blocks.Count);
        foreach (Match block in blocks)
        {
            // Each paragraph of a snippet is a run of this file's lines (the usings among this file's usings).
            foreach (var paragraph in block.Groups[2].Value.Split("\n\n").Select(p => p.Trim('\n').Split('\n').Select(l => l.Trim()).ToArray()))
                Assert.True(Enumerable.Range(0, source.Length - paragraph.Length + 1).Any(i => source.Skip(i).Take(paragraph.Length).SequenceEqual(paragraph))
                            || paragraph.All(l => l.StartsWith("using ", StringComparison.Ordinal) && source.Contains(l)),
                    "the guide's snippet is not this file's code; first line: " + paragraph[0]);
        }

        var project = File.ReadAllText(Path.Combine(root!, "tests", "Darknet.Weights.Tests", "Darknet.Weights.Tests.csproj"));
        var packages = Regex.Matches(section, @"<PackageReference Include=""([^""]+)"" Version=""([^""]+)"" />");
        Assert.True(packages.Count >= 5, "the guide names the packages each runtime needs");
        foreach (Match package in packages) Assert.Contains(package.Value, project);
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Darknet.Build.sln"))) return dir.FullName;
        return null;
    }

    class Image
    {
        [ColumnName("input"), VectorType(1, 3, 416, 416)]
        public float[] Input { get; set; } = Array.Empty<float>();
    }

    /// <summary>What the snippets print (a line per detection, thousands with synthetic weights), kept out of the test log.</summary>
    private sealed class CapturedConsole : IDisposable
    {
        private readonly TextWriter _saved = Console.Out;
        private readonly StringWriter _captured = new();

        public CapturedConsole() => Console.SetOut(_captured);

        public int Lines => _captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

        public void Dispose() => Console.SetOut(_saved);
    }

    /// <summary>An export copied where the snippets look for a build's model, yolov4-tiny.onnx beside the program; removed after.</summary>
    private sealed class ModelBesideTheTests : IDisposable
    {
        private readonly string _path = Path.Combine(AppContext.BaseDirectory, "yolov4-tiny.onnx");

        public ModelBesideTheTests(string export) => File.Copy(export, _path, overwrite: true);

        public void Dispose() => File.Delete(_path);
    }
}
