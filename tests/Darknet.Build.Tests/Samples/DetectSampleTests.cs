using System.Globalization;
using System.Text.RegularExpressions;
using Darknet.Build.Tests.EndToEnd;
using Darknet.Build.Tests.Infrastructure;
using SkiaSharp;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Samples;

/// <summary>
/// `dotnet run --project samples/Detect` on a copy of the repo's sources: the build exports the sample's tiny detector
/// with OnnxOutputs="detections" and its names, the program finds the shapes of its scene, prints them and draws them.
/// (Its letterbox and box mapping are held to darknet's in Darknet.Weights.Tests' DetectSampleMatchesDarknetTests.)
/// In the end-to-end collection so that no other test builds the task project at the same time.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class DetectSampleTests
{
    // What images/make-scene.cs drew in scene.png (320x240), as x1, y1, x2, y2: the class and the box the model must find.
    private static readonly (string Name, SKRect Box, SKColor Colour)[] Shapes =
    {
        ("red square", new SKRect(32, 24, 128, 120), SKColors.Magenta),
        ("blue disc", new SKRect(192, 56, 288, 152), SKColors.Orange),
    };

    [Fact]
    public void Sample_finds_the_shapes_of_its_scene_prints_them_and_draws_their_boxes()
    {
        using var temp = new TempDirectory("darknet-sample");
        var copy = temp.Combine("repo");
        PackedPackage.CopySources(copy, Path.Combine("samples", "Detect"), Path.Combine("samples", "Directory.Build.targets"));
        var environment = new Dictionary<string, string> { ["DARKNET_CACHE_DIR"] = temp.Combine("cache") };

        var run = DotnetCli.Run(copy, environment, "run", "--project", Path.Combine("samples", "Detect"));

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertFindsTheShapes(run.Output);
        var written = Path.Combine(copy, "samples", "Detect", "bin", "Debug", "net10.0", "detections.png");
        Assert.Contains("wrote " + written, run.Output);
        AssertDrawsTheBoxes(written);

        // An image and an output of the user's, from the working directory.
        File.Copy(Path.Combine(copy, "samples", "Detect", "images", "scene.png"), temp.Combine("photo.png"));
        var again = DotnetCli.Run(temp.Path, environment, "run", "--no-build", "--project", Path.Combine(copy, "samples", "Detect"), "--", "photo.png", "boxes.png");
        Assert.True(again.ExitCode == 0, again.ToString());
        AssertFindsTheShapes(again.Output);
        AssertDrawsTheBoxes(temp.Combine("boxes.png"));
    }

    [Fact]
    public void The_guides_detecting_objects_code_is_the_samples()
    {
        var repo = PackedPackage.RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(repo, "docs", "guide.md")).ReplaceLineEndings("\n");
        var section = Regex.Match(readme, @"^## Detecting objects\n(.*?)^## ", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, "docs/guide.md has no \"## Detecting objects\" section");
        var code = CodeBlock().Match(section.Groups[1].Value);
        Assert.True(code.Success, "the section has no csharp block");
        var shown = Lines(code.Groups[1].Value);
        var program = Lines(File.ReadAllText(Path.Combine(repo, "samples", "Detect", "Program.cs")));

        Assert.True(shown.Length >= 15, $"the guide shows {shown.Length} lines of the sample");
        var at = Enumerable.Range(0, program.Length - shown.Length + 1).FirstOrDefault(i => program.Skip(i).Take(shown.Length).SequenceEqual(shown), -1);
        Assert.True(at >= 0, "the guide's code is not a run of samples/Detect/Program.cs's lines; first line shown: " + shown[0]);
    }

    private static void AssertFindsTheShapes(string output)
    {
        var found = DetectionLine().Matches(output)
            .Select(m => (Name: m.Groups["name"].Value, Score: Number(m, "score"),
                          Box: new SKRect(Number(m, "x1"), Number(m, "y1"), Number(m, "x2"), Number(m, "y2"))))
            .ToList();
        Assert.True(found.Count == Shapes.Length, "expected one line per shape:\n" + output);
        foreach (var (shape, line) in Shapes.Zip(found))
        {
            Assert.Equal(shape.Name, line.Name);
            Assert.True(line.Score >= .9f, $"{line.Name}: score {line.Score}");
            var error = new[] { shape.Box.Left - line.Box.Left, shape.Box.Top - line.Box.Top, shape.Box.Right - line.Box.Right, shape.Box.Bottom - line.Box.Bottom }.Max(Math.Abs);
            Assert.True(error <= 2, $"{line.Name}: box {line.Box}, the scene's is {shape.Box}");
        }
    }

    // The picture, its size kept, with each box's edge in its class's colour, and the shape inside left as drawn.
    private static void AssertDrawsTheBoxes(string path)
    {
        Assert.True(File.Exists(path), path);
        using var image = SKBitmap.Decode(path);
        Assert.NotNull(image);
        Assert.Equal((320, 240), (image.Width, image.Height));
        foreach (var (name, box, colour) in Shapes)
        {
            int middleY = (int)(box.Top + box.Bottom) / 2, middleX = (int)(box.Left + box.Right) / 2;
            Assert.True(image.GetPixel((int)box.Left, middleY) == colour, $"{name}: left edge {image.GetPixel((int)box.Left, middleY)}, not {colour}");
            Assert.True(image.GetPixel((int)box.Right, middleY) == colour, $"{name}: right edge {image.GetPixel((int)box.Right, middleY)}");
            Assert.True(image.GetPixel(middleX, (int)box.Bottom) == colour, $"{name}: bottom edge {image.GetPixel(middleX, (int)box.Bottom)}");
            Assert.True(image.GetPixel(middleX, middleY) != colour, $"{name}: the box is filled");
        }
    }

    private static float Number(Match m, string group) => float.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Trim('\n').Split('\n').Select(l => l.TrimEnd()).ToArray();

    [GeneratedRegex(@"^(?<name>\S.*?) (?<score>\d\.\d\d) (?<x1>\d+) (?<y1>\d+) (?<x2>\d+) (?<y2>\d+)\r?$", RegexOptions.Multiline)]
    private static partial Regex DetectionLine();

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
