using System.Collections.Generic;
using System.Threading;
using Darknet.Weights.Labels;

namespace Darknet.Weights;

internal sealed class ConversionOptions
{
    public OutputFormat Format { get; set; } = OutputFormat.Npy;

    /// <summary>Convert only the first N weighted layers (a prefix on purpose: floats after them are allowed).</summary>
    public int? LayerLimit { get; set; }

    /// <summary>One name per weighted layer in file order; null: <c>LayerNaming.NamesFor(layout)</c>.</summary>
    public IReadOnlyList<string>? LayerNames { get; set; }

    /// <summary>
    /// The network's class names, written into an ONNX model's metadata (checked against its classes first, DKN1008);
    /// null: none. The other formats carry no metadata and ignore them.
    /// </summary>
    public ClassNames? ClassNames { get; set; }

    /// <summary>How an ONNX export is made: its outputs (written as its <c>outputs</c> metadata) and whether its input size is pinned.</summary>
    public Onnx.OnnxExportOptions Onnx { get; set; } = new Onnx.OnnxExportOptions();

    /// <summary>Checked before each layer: a cancelled conversion throws <see cref="System.OperationCanceledException"/> and leaves no temp.</summary>
    public CancellationToken Cancellation { get; set; }
}
