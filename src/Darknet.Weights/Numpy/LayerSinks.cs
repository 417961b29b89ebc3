using System;
using System.IO;

namespace Darknet.Weights.Numpy;

internal static class LayerSinks
{
    public static ILayerSink Create(OutputFormat format, Stream output, bool leaveOpen = false)
    {
        switch (format)
        {
            case OutputFormat.Npy: return new NpyDictionaryWriter(output, leaveOpen);
            case OutputFormat.Npz: return new NpzWriter(output, leaveOpen);
            default: throw new ArgumentOutOfRangeException(nameof(format), format, "onnx and safetensors need the whole network before the first layer: use DarknetConverter.ConvertFile");
        }
    }
}
