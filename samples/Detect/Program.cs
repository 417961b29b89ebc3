using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

// dotnet run [-- IMAGE [OUTPUT]]: IMAGE defaults to the shipped scene.png, OUTPUT to detections.png beside the program.
var imagePath = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "scene.png");
var outputPath = args.Length > 1 ? args[1] : Path.Combine(AppContext.BaseDirectory, "detections.png");

// Errors only: ONNX Runtime warns that the optional thresholds' defaults are graph inputs (which they are meant to be).
using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
using var session = new InferenceSession(Path.Combine(AppContext.BaseDirectory, "shapes.onnx"), options);
var metadata = session.ModelMetadata.CustomMetadataMap;
var names = JsonSerializer.Deserialize<string[]>(metadata["names"])!;
var size = metadata["input_size"].Split('x').Select(int.Parse).ToArray(); // "160x160": width, height

using var image = SKBitmap.Decode(imagePath) ?? throw new ArgumentException($"{imagePath}: not an image SkiaSharp reads");
var letterbox = new Letterbox(image.Width, image.Height, size[0], size[1]);
using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", letterbox.Apply(image)) });
var detections = results.Single(r => r.Name == "detections").AsTensor<float>(); // [M, 7]

using var canvas = new SKCanvas(image);
SKColor[] palette = { SKColors.Magenta, SKColors.Orange, SKColors.Lime, SKColors.Cyan }; // one per class, in turn
for (var i = 0; i < detections.Dimensions[0]; i++) // a row: batch, class, score, x1, y1, x2, y2 (the input's pixels)
{
    var klass = (int)detections[i, 1];
    var label = FormattableString.Invariant($"{names[klass]} {detections[i, 2]:F2}");
    var box = letterbox.ToImage(detections[i, 3], detections[i, 4], detections[i, 5], detections[i, 6]);
    Console.WriteLine($"{label} {box.Left:F0} {box.Top:F0} {box.Right:F0} {box.Bottom:F0}");
    Draw(canvas, box, label, palette[klass % palette.Length]);
}
using (var file = File.Create(outputPath)) image.Encode(file, SKEncodedImageFormat.Png, 100);
Console.WriteLine($"wrote {outputPath}");

// A box and, above it, its label on the box's colour.
static void Draw(SKCanvas canvas, SKRect box, string label, SKColor colour)
{
    using var line = new SKPaint { Color = colour, Style = SKPaintStyle.Stroke, StrokeWidth = 3 };
    using var fill = new SKPaint { Color = colour };
    using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
    using var font = new SKFont(SKTypeface.Default, 14);
    var top = Math.Max(box.Top - 18, 0);
    canvas.DrawRect(box, line);
    canvas.DrawRect(box.Left, top, font.MeasureText(label) + 6, 18, fill);
    canvas.DrawText(label, box.Left + 3, top + 14, SKTextAlign.Left, font, ink);
}
