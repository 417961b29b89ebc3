using System;
using System.IO;
using Darknet.Weights.Layout;
using Darknet.Weights.Numpy;

namespace Darknet.Weights
{
    /// <summary>
    /// Darknet .cfg layout + .weights stream -> the seed's per-layer parameters, one layer at a time, exact or nothing:
    /// the float count is checked before any output when the length is known, and while reading when it is not.
    /// </summary>
    public static class DarknetConverter
    {
        /// <summary>
        /// Reads the header and every (or the first <see cref="ConversionOptions.LayerLimit"/>) weighted layer from
        /// <paramref name="weights"/>, hands each to <paramref name="sink"/>, and calls <see cref="ILayerSink.Complete"/>
        /// only when the whole stream checked out. The caller disposes the sink.
        /// </summary>
        /// <param name="weightsLength">The stream's total length in bytes when known (a file); null reads and checks as it goes.</param>
        public static ConversionResult Convert(NetworkLayout layout, Stream weights, long? weightsLength, ILayerSink sink, ConversionOptions options)
        {
            if (weights == null) throw new ArgumentNullException(nameof(weights));
            if (sink == null) throw new ArgumentNullException(nameof(sink));
            options ??= new ConversionOptions();
            var plan = ConversionPlan.Create(layout, options.LayerLimit, options.LayerNames);
            var header = WeightsHeader.Read(weights);
            if (weightsLength.HasValue) plan.CheckLength(header, weightsLength.Value);
            return Run(plan, header, weights, weightsLength, sink, recycleWeights: false);
        }

        /// <summary>
        /// Converts a .weights file into <paramref name="outputPath"/> (.npy or .npz by <see cref="ConversionOptions.Format"/>).
        /// Sizes are checked before any output exists; the output is written to a temporary file beside it and renamed
        /// only on success, so a failed run leaves nothing (and no half file) under <paramref name="outputPath"/>.
        /// </summary>
        public static ConversionResult ConvertFile(NetworkLayout layout, string weightsPath, string outputPath, ConversionOptions options)
        {
            options ??= new ConversionOptions();
            if (options.Format == OutputFormat.Onnx)
            {
                if (options.Cfg == null)
                    throw new DarknetException(ErrorCodes.OnnxNeedsCfg, $"an ONNX export needs the network's .cfg, since the graph comes from it ({layout.SourceName} came without one)");
                if (options.LayerLimit != null)
                    throw new DarknetException(ErrorCodes.BadLayerLimit, "an ONNX export is the whole network: a layer limit does not apply");
                return Onnx.OnnxExporter.Export(options.Cfg, layout.SourceName, weightsPath, outputPath);
            }
            if (options.Format == OutputFormat.Safetensors)
                return ConvertFile(layout, weightsPath, outputPath, options, (output, plan) => new Safetensors.SafetensorsWriter(output, Safetensors.SafetensorsWriter.EntriesFor(plan), plan.Layout.SourceName));
            return ConvertFile(layout, weightsPath, outputPath, options, (output, _) => LayerSinks.Create(options.Format, output, leaveOpen: true));
        }

        /// <summary><see cref="ConvertFile(NetworkLayout, string, string, ConversionOptions)"/> into a sink of the caller's (the ONNX writer).</summary>
        internal static ConversionResult ConvertFile(NetworkLayout layout, string weightsPath, string outputPath, ConversionOptions options, Func<Stream, ConversionPlan, ILayerSink> createSink)
        {
            if (weightsPath == null) throw new ArgumentNullException(nameof(weightsPath));
            if (outputPath == null) throw new ArgumentNullException(nameof(outputPath));
            options ??= new ConversionOptions();
            var plan = ConversionPlan.Create(layout, options.LayerLimit, options.LayerNames);
            if (Directory.Exists(outputPath))
                throw new DarknetException(ErrorCodes.FileAccessFailed, $"the output path is a directory: {outputPath} (give a file name, e.g. {Path.Combine(outputPath, "model.npy")})");
            var outputFolder = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (!string.IsNullOrEmpty(outputFolder) && File.Exists(outputFolder))
                throw new DarknetException(ErrorCodes.FileAccessFailed, $"cannot write {outputPath}: {outputFolder} is a file, not a folder");
            if (!File.Exists(weightsPath))
                throw new DarknetException(ErrorCodes.WeightsNotFound, $"weights file not found: {weightsPath}");

            using var weights = new FileStream(weightsPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
            var header = WeightsHeader.Read(weights);
            long length = weights.Length;
            if (length < weights.Position) // a device or pipe: /dev/zero reads forever and says 0 bytes
                throw new DarknetException(ErrorCodes.NotAWeightsFile, $"{weightsPath} is not a regular file (its length reads as {length} bytes after a {header.Size}-byte header was read from it)");
            plan.CheckLength(header, length);

            ConversionResult? result = null;
            AtomicFile.Write(outputPath, output =>
            {
                using var sink = createSink(output, plan);
                result = Run(plan, header, weights, length, sink, recycleWeights: true);
            });
            return result!;
        }

        /// <summary>The size in bytes of a .weights file that holds exactly what the layout (or its first <paramref name="layerLimit"/> weighted layers) reads.</summary>
        public static long ExpectedFileSize(NetworkLayout layout, int headerSize, int? layerLimit)
        {
            if (headerSize != 16 && headerSize != 20) throw new ArgumentOutOfRangeException(nameof(headerSize), headerSize, "a .weights header is 16 or 20 bytes");
            return headerSize + 4 * ConversionPlan.Create(layout, layerLimit, NoNames(layout)).ExpectedFloats;
        }

        // Names play no part in a size; blanks skip LayerNaming.
        private static string[] NoNames(NetworkLayout layout) => new string[layout.WeightedLayers.Count];

        private static ConversionResult Run(ConversionPlan plan, WeightsHeader header, Stream weights, long? weightsLength, ILayerSink sink, bool recycleWeights)
        {
            var reader = new FloatStreamReader(weights);
            var weightArrays = new RecycledWeightArrays(recycleWeights);
            var layerReader = new LayerReader(reader, header, plan, weightsLength, weightArrays);
            for (int i = 0; i < plan.Layers.Count; i++)
            {
                var layer = layerReader.Read(i);
                sink.Write(layer);
                weightArrays.Release(layer);
            }

            if (plan.LayerLimit == null && !weightsLength.HasValue)
            {
                long extra = reader.CountRemaining();
                if (extra > 0 || reader.StrayBytes > 0) throw plan.Leftover(header, extra, reader.StrayBytes, null);
            }
            sink.Complete();
            return new ConversionResult(plan.Layers.Count, reader.FloatsRead, plan.ExpectedFloats, header);
        }
    }
}
