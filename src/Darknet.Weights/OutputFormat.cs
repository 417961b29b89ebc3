namespace Darknet.Weights;

internal enum OutputFormat
{
    /// <summary>The seed's format: np.save of a dict (pickled 0-d object array).</summary>
    Npy,

    /// <summary>A pickle-free .npz: one array per entry, <c>layer/weights</c>, <c>layer/gamma</c>, …</summary>
    Npz,

    /// <summary>An ONNX model (opset 13) of the whole network, built from the cfg: see <see cref="Onnx.OnnxExporter"/>.</summary>
    Onnx,

    /// <summary>A .safetensors file: the .npz's arrays (same names) as F32 tensors behind a JSON header.</summary>
    Safetensors,
}
