namespace Darknet.Weights.Onnx;

/// <summary>What an exported ONNX model outputs.</summary>
internal enum OnnxOutputs
{
    /// <summary>Each [yolo]/[region] layer's output (else the last layer's), as darknet's layer tensor [N, C, H, W].</summary>
    Layers,

    /// <summary>darknet's decoded candidates before any threshold: <c>boxes</c> [N, B, 4] (x1, y1, x2, y2 in input pixels) and <c>scores</c> [N, B, C].</summary>
    Boxes,

    /// <summary>The candidates thresholded and suppressed per class as darknet does: <c>detections</c> [M, 7].</summary>
    Detections,
}
