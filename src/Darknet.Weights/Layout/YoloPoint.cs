namespace Darknet.Weights.Layout;

/// <summary>
/// AlexeyAB's [Gaussian_yolo] yolo_point=: which point of the box its x, y means predict (get_gaussian_yolo_box).
/// darknet takes left_top and right_bottom as written and anything else as center.
/// </summary>
internal enum YoloPoint
{
    Center,
    LeftTop,
    RightBottom,
}
