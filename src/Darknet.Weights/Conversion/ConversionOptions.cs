using System.Collections.Generic;
using System.Threading;

namespace Darknet.Weights
{
    internal sealed class ConversionOptions
    {
        public OutputFormat Format { get; set; } = OutputFormat.Npy;

        /// <summary>Convert only the first N weighted layers (a prefix on purpose: floats after them are allowed).</summary>
        public int? LayerLimit { get; set; }

        /// <summary>One name per weighted layer in file order; null: <c>LayerNaming.NamesFor(layout)</c>.</summary>
        public IReadOnlyList<string>? LayerNames { get; set; }

        /// <summary>Checked before each layer: a cancelled conversion throws <see cref="System.OperationCanceledException"/> and leaves no temp.</summary>
        public CancellationToken Cancellation { get; set; }
    }
}
