using Microsoft.ML.OnnxRuntime.Tensors;
using SkiaSharp;

/// <summary>
/// darknet's letterbox (letterbox_image): the image scaled to fit the network's input keeping its aspect ratio, with
/// darknet's bilinear resize_image, centred on a 0.5 grey canvas; and back (correct_yolo_boxes): a box in the input's
/// pixels to one in the image's, clipped to the image as darknet draws it.
/// </summary>
internal sealed class Letterbox(int imageWidth, int imageHeight, int width, int height)
{
    private readonly bool _fitsWidth = (float)width / imageWidth < (float)height / imageHeight;

    public int ScaledWidth => _fitsWidth ? width : imageWidth * height / imageHeight;

    public int ScaledHeight => _fitsWidth ? imageHeight * width / imageWidth : height;

    /// <summary>The network's input: [1, 3, height, width], RGB in [0, 1], planar.</summary>
    public DenseTensor<float> Apply(SKBitmap image)
    {
        var pixels = image.Pixels;
        var planar = new float[3 * pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            planar[i] = pixels[i].Red / 255f;
            planar[pixels.Length + i] = pixels[i].Green / 255f;
            planar[2 * pixels.Length + i] = pixels[i].Blue / 255f;
        }
        int w = ScaledWidth, h = ScaledHeight, dx = (width - w) / 2, dy = (height - h) / 2;
        var scaled = Resize(planar, imageWidth, imageHeight, w, h);
        var input = new DenseTensor<float>(new[] { 1, 3, height, width });
        input.Buffer.Span.Fill(.5f);
        for (var c = 0; c < 3; c++)
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
            input[0, c, dy + y, dx + x] = scaled[(c * h + y) * w + x];
        return input;
    }

    /// <summary>A box (x1, y1, x2, y2 in the input's pixels) in the image's pixels.</summary>
    public SKRect ToImage(float x1, float y1, float x2, float y2)
    {
        float scaleX = (float)imageWidth / ScaledWidth, scaleY = (float)imageHeight / ScaledHeight;
        float offsetX = (width - ScaledWidth) / 2f, offsetY = (height - ScaledHeight) / 2f;
        float X(float x) => Math.Clamp((x - offsetX) * scaleX, 0, imageWidth - 1);
        float Y(float y) => Math.Clamp((y - offsetY) * scaleY, 0, imageHeight - 1);
        return new SKRect(X(x1), Y(y1), X(x2), Y(y2));
    }

    // Bilinear, corner on corner (a step of (w - 1)/(newW - 1) source pixels), the columns first, then the rows: the
    // same floats darknet computes.
    private static float[] Resize(float[] source, int w, int h, int newW, int newH)
    {
        if (w == newW && h == newH) return source;
        float stepX = (float)(w - 1) / (newW - 1), stepY = (float)(h - 1) / (newH - 1);
        var columns = new float[3 * h * newW];
        for (var row = 0; row < 3 * h; row++)
        for (var x = 0; x < newW; x++)
        {
            var from = row * w;
            if (x == newW - 1 || w == 1)
            {
                columns[row * newW + x] = source[from + w - 1];
                continue;
            }
            var sx = x * stepX;
            var ix = (int)sx;
            var f = sx - ix;
            columns[row * newW + x] = (1 - f) * source[from + ix] + f * source[from + ix + 1];
        }
        var result = new float[3 * newH * newW];
        for (var c = 0; c < 3; c++)
        for (var y = 0; y < newH; y++)
        {
            var sy = y * stepY;
            var iy = (int)sy;
            var f = sy - iy;
            var last = y == newH - 1 || h == 1;
            for (var x = 0; x < newW; x++)
            {
                var top = columns[(c * h + iy) * newW + x];
                result[(c * newH + y) * newW + x] = last ? (1 - f) * top : (1 - f) * top + f * columns[(c * h + iy + 1) * newW + x];
            }
        }
        return result;
    }
}
