using System;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Onnx;

/// <summary>
/// Darknet .cfg + .weights -> an ONNX model (opset 13) that computes what darknet computes: one input <c>input</c>
/// (float32 NCHW), one output per [yolo], [Gaussian_yolo], [region] or [detection] layer (else the last layer), each
/// darknet's layer output as [N, C, H, W], and the metadata of <see cref="OnnxMetadata"/>. The graph comes from the
/// network's layout; the weights are read by the converter and streamed into the file.
/// </summary>
internal static class OnnxExporter
{
    public static ConversionResult ExportFile(string cfgPath, string weightsPath, string outputPath)
    {
        if (cfgPath == null) throw new ArgumentNullException(nameof(cfgPath));
        return DarknetConverter.ConvertFile(NetworkLayout.FromCfgFile(cfgPath), weightsPath, outputPath, new ConversionOptions { Format = OutputFormat.Onnx });
    }
}
