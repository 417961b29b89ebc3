using System.Collections.Generic;

namespace Darknet.Weights.Layout;

/// <summary>
/// What a [yolo], [Gaussian_yolo], [region] or [detection] layer needs beyond its shape for the forward pass and for
/// decoding boxes: the classes, the anchors (all of the network's: pixels for [yolo], grid cells for [region]), which of
/// them this layer uses (<see cref="Mask"/>), AlexeyAB's scale_x_y and new_coords ([Gaussian_yolo]'s yolo_point),
/// [region]'s coords, softmax and background, and [detection]'s side.
/// </summary>
internal sealed class DetectionHead
{
    private DetectionHead(int classes, int num, float[] anchors, int[]? mask, float scaleXY, bool newCoords, bool softmax, int coords, bool background,
        YoloPoint point = YoloPoint.Center, int side = 0)
    {
        Side = side;
        Classes = classes;
        Num = num;
        Anchors = anchors;
        Mask = mask;
        ScaleXY = scaleXY;
        NewCoords = newCoords;
        Softmax = softmax;
        Coords = coords;
        Background = background;
        Point = point;
    }

    /// <summary>[yolo] (and [Gaussian_yolo]): the anchors this layer uses are <paramref name="mask"/>'s entries of the (w, h) pairs in <paramref name="anchors"/>.</summary>
    public static DetectionHead Yolo(int classes, float[] anchors, int[] mask, float scaleXY = 1f, bool newCoords = false, YoloPoint point = YoloPoint.Center) =>
        new DetectionHead(classes, anchors.Length / 2, anchors, mask, scaleXY, newCoords, softmax: false, coords: 4, background: false, point);

    /// <summary>[region] (YOLOv2): every anchor pair, <paramref name="coords"/> box coordinates, a softmax over the classes unless told otherwise.</summary>
    public static DetectionHead Region(int classes, float[] anchors, bool softmax = true, int coords = 4, bool background = false) =>
        new DetectionHead(classes, anchors.Length / 2, anchors, null, 1f, newCoords: false, softmax, coords, background);

    /// <summary>
    /// [detection] (YOLOv1): a side × side grid, each cell predicting <paramref name="classes"/> class scores (all
    /// cells' first, a softmax over each cell's when <paramref name="softmax"/>), then <paramref name="num"/>
    /// confidences and num·<paramref name="coords"/> box coordinates; no anchors.
    /// </summary>
    public static DetectionHead Detection(int classes, int coords, int num, int side, bool softmax) =>
        new DetectionHead(classes, num, new float[0], null, 1f, newCoords: false, softmax, coords, background: false, side: side);

    public int Classes { get; }

    /// <summary>The cfg's num=: how many anchor pairs <see cref="Anchors"/> holds.</summary>
    public int Num { get; }

    /// <summary>(w, h) pairs, <see cref="Num"/> of them: the cfg's anchors=, filled with darknet's 0.5 where it lists fewer.</summary>
    public IReadOnlyList<float> Anchors { get; }

    /// <summary>[yolo]'s mask= (0..num−1 when absent); null for [region], which uses all <see cref="Num"/> anchors.</summary>
    public IReadOnlyList<int>? Mask { get; }

    /// <summary>How many anchors this layer predicts per cell: the mask's length, or num for [region].</summary>
    public int AnchorsPerCell => Mask?.Count ?? Num;

    /// <summary>AlexeyAB's scale_x_y (1 = none).</summary>
    public float ScaleXY { get; }

    /// <summary>AlexeyAB's new_coords=1 (Scaled-YOLOv4, YOLOv7): the conv before already applied the logistic.</summary>
    public bool NewCoords { get; }

    /// <summary>[region]'s and [detection]'s softmax=1 over the classes.</summary>
    public bool Softmax { get; }

    /// <summary>[region]'s and [detection]'s coords= (4 for [yolo]).</summary>
    public int Coords { get; }

    /// <summary>[region]'s background=1.</summary>
    public bool Background { get; }

    /// <summary>[Gaussian_yolo]'s yolo_point= (center for every other head).</summary>
    public YoloPoint Point { get; }

    /// <summary>[detection]'s side= (the grid is side × side cells); 0 for the other heads, whose grid is their input's.</summary>
    public int Side { get; }
}
