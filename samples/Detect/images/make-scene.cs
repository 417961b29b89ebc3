// Writes images/scene.png, the picture the sample detects objects in: 320x240 (wider than the network's square input,
// so the letterbox shows), sky and grass, a yellow sun the model has no class for, a red square and a blue disc,
// each 96 pixels across (48 at the network's 160x160, the size its anchor and detection conv look for).
// Run from this folder with: dotnet run make-scene.cs. The output is committed, so building the sample never runs this.
#:package SkiaSharp@4.156.1
#:package SkiaSharp.NativeAssets.Linux@4.156.1
using SkiaSharp;

var path = Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "scene.png");
using var bitmap = new SKBitmap(320, 240);
using (var canvas = new SKCanvas(bitmap))
{
    using var paint = new SKPaint { IsAntialias = true };
    canvas.Clear(new SKColor(140, 200, 240));                                          // sky
    paint.Color = new SKColor(90, 165, 75); canvas.DrawRect(0, 170, 320, 70, paint);   // grass
    paint.Color = new SKColor(255, 230, 60); canvas.DrawCircle(290, 28, 18, paint);   // sun
    paint.Color = new SKColor(255, 0, 0); canvas.DrawRect(32, 24, 96, 96, paint);     // red square: x 32..128, y 24..120
    paint.Color = new SKColor(0, 0, 255); canvas.DrawCircle(240, 104, 48, paint);     // blue disc: centre (240, 104)
}
using (var file = File.Create(path))
    bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
Console.WriteLine($"wrote {path}: {bitmap.Width}x{bitmap.Height}");
