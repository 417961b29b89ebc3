using System;
using System.Globalization;
using System.Linq;

namespace Darknet.Weights.Onnx;

/// <summary>How a network is exported to ONNX.</summary>
internal sealed class OnnxExportOptions
{
    public OnnxOutputs Outputs { get; set; } = OnnxOutputs.Layers;

    /// <summary>
    /// Pin the input to the layout's [net] width × height, so runtimes that cannot follow a symbolic height or width
    /// (OpenCV's importer, ML.NET) load the model. Boxes and detections are always pinned; so is a network whose layers
    /// need their sizes ([connected], [crop], [reorg], a spatial [softmax]).
    /// </summary>
    public bool FixedSize { get; set; }

    /// <summary>The spelling users write (item metadata OnnxOutputs, CLI --onnx-outputs) and the model's metadata carries.</summary>
    public static string Name(OnnxOutputs outputs) => outputs.ToString().ToLowerInvariant();

    public static bool TryParse(string text, out OnnxOutputs outputs)
    {
        foreach (OnnxOutputs value in Enum.GetValues(typeof(OnnxOutputs)))
            if (string.Equals(Name(value), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                outputs = value;
                return true;
            }
        outputs = OnnxOutputs.Layers;
        return false;
    }

    /// <summary>Every spelling, for messages: "layers, boxes, detections".</summary>
    public static string Names => string.Join(", ", Enum.GetValues(typeof(OnnxOutputs)).Cast<OnnxOutputs>().Select(Name));

    /// <summary>"416x416" (or "416X416", "416*416") as (width, height); false for anything else or sizes outside 1..65536.</summary>
    public static bool TryParseSize(string text, out int width, out int height)
    {
        width = height = 0;
        var parts = (text ?? "").Trim().Split('x', 'X', '*');
        return parts.Length == 2
            && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out width)
            && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out height)
            && width >= 1 && height >= 1 && width <= 65536 && height <= 65536;
    }
}
