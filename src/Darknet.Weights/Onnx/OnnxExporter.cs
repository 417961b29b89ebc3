using System;
using System.Collections.Generic;
using System.IO;
using Darknet.Weights.Config;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Onnx
{
    /// <summary>
    /// Darknet .cfg + .weights -> an ONNX model (opset 13) that computes what darknet computes: one input <c>input</c>
    /// (float32 NCHW), one output per [yolo]/[region] layer (else the last layer), each darknet's layer output as
    /// [N, C, H, W]. The graph comes from the cfg; the weights are read by the converter and streamed into the file.
    /// </summary>
    public static class OnnxExporter
    {
        public static ConversionResult ExportFile(string cfgPath, string weightsPath, string outputPath)
        {
            if (cfgPath == null) throw new ArgumentNullException(nameof(cfgPath));
            return Export(CfgReader.ReadFile(cfgPath), Path.GetFileName(cfgPath), weightsPath, outputPath);
        }

        /// <summary>The same from parsed sections (<see cref="ConversionOptions.Cfg"/>); <paramref name="cfgName"/> names the cfg in messages.</summary>
        internal static ConversionResult Export(IReadOnlyList<CfgSection> sections, string cfgName, string weightsPath, string outputPath)
        {
            var graph = GraphBuilder.Build(sections, cfgName);
            var layout = CfgLayoutReader.Read(sections, cfgName);
            if (layout.WeightedLayers.Count != graph.WeightSlots.Count)
                throw new InvalidOperationException($"{cfgName}: the layout has {layout.WeightedLayers.Count} weighted layers, the graph {graph.WeightSlots.Count}");
            var options = new ConversionOptions { Format = OutputFormat.Onnx };
            return DarknetConverter.ConvertFile(layout, weightsPath, outputPath, options, (output, _) => new OnnxModelWriter(graph, output, LibraryVersion.Informational));
        }
    }
}
