using System.Collections.Generic;

namespace Darknet.Weights
{
    public sealed class ConversionOptions
    {
        public OutputFormat Format { get; set; } = OutputFormat.Npy;

        /// <summary>Convert only the first N weighted layers (a prefix on purpose: floats after them are allowed).</summary>
        public int? LayerLimit { get; set; }

        /// <summary>One name per weighted layer in file order; null: <c>LayerNaming.NamesFor(layout)</c>.</summary>
        public IReadOnlyList<string>? LayerNames { get; set; }

        /// <summary>The network's cfg sections (<see cref="Config.CfgReader"/>): an ONNX export builds its graph from them.</summary>
        public IReadOnlyList<Config.CfgSection>? Cfg { get; set; }
    }
}
