using System;
using System.IO;
using System.Linq;
using System.Threading;
using Darknet.Weights.IO;
using Darknet.Weights.Layout;
using Darknet.Weights.Numpy;

namespace Darknet.Weights;

/// <summary>
/// Darknet .cfg layout + .weights stream -> the seed's per-layer parameters, one layer at a time, exact or nothing:
/// the float count is checked before any output when the length is known, and while reading when it is not.
/// </summary>
internal static class DarknetConverter
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
        return Run(plan, header, weights, weightsLength, sink, new RecycledWeightArrays(enabled: false), options.Cancellation);
    }

    /// <summary>
    /// Converts a .weights file into <paramref name="outputPath"/> (.npy, .npz, .safetensors or .onnx by <see cref="ConversionOptions.Format"/>).
    /// Sizes are checked before any output exists; the output is written to a temporary file beside it and renamed
    /// only on success, so a failed run leaves nothing (and no half file) under <paramref name="outputPath"/>.
    /// </summary>
    public static ConversionResult ConvertFile(NetworkLayout layout, string weightsPath, string outputPath, ConversionOptions options)
    {
        if (weightsPath == null) throw new ArgumentNullException(nameof(weightsPath));
        if (outputPath == null) throw new ArgumentNullException(nameof(outputPath));
        options ??= new ConversionOptions();
        var plan = ConversionPlan.Create(layout, options.LayerLimit, options.LayerNames);
        var createSink = SinkFactory(options, plan); // an ONNX graph the exporter cannot express fails here, before any IO
        AtomicFile.RefuseToReplace(outputPath); // a directory, device or link: refused before the weights are read
        var outputFolder = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (!string.IsNullOrEmpty(outputFolder) && File.Exists(outputFolder))
            throw new DarknetException(ErrorCodes.FileAccessFailed, $"cannot write {outputPath}: {outputFolder} is a file, not a folder");
        if (!File.Exists(weightsPath))
            throw new DarknetException(ErrorCodes.WeightsNotFound, $"weights file not found: {weightsPath}");

        // A FIFO would block the open until someone writes to it, and a pipe has no length to check: refused unopened.
        var kind = FileStatus.Of(weightsPath, followLinks: true);
        if (kind.Kind == FileKind.Other)
            throw new DarknetException(ErrorCodes.NotAWeightsFile, $"{weightsPath} is not a regular file but {kind.TypeName}: give the .weights file itself");

        using var weights = OpenWeights(weightsPath);
        var header = WeightsHeader.Read(weights);
        long length = weights.CanSeek ? weights.Length : -1;
        if (length < weights.Position) // a device or pipe: /dev/zero reads forever and says 0 bytes
            throw new DarknetException(ErrorCodes.NotAWeightsFile, $"{weightsPath} is not a regular file (its length reads as {length} bytes after a {header.Size}-byte header was read from it)");
        plan.CheckLength(header, length);

        ConversionResult? result = null;
        AtomicFile.Write(outputPath, output =>
        {
            using var sink = createSink(output);
            result = Run(plan, header, weights, length, sink, WeightMemoryFor(options.Format, plan), options.Cancellation);
        }, expectedLength: 4 * plan.ExpectedFloats);
        return result!;
    }

    private static FileStream OpenWeights(string weightsPath)
    {
        try
        {
            return new FileStream(weightsPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DarknetException(ErrorCodes.FileAccessFailed, $"cannot read {weightsPath}: permission denied", e);
        }
    }

    /// <summary>
    /// Converts a .weights stream of known length into <paramref name="output"/>, for callers that publish the output
    /// themselves (the build's machine cache hashes the weights read and the output written as they pass). Sizes are
    /// checked before the first byte is written. Reads no further than the last converted layer.
    /// </summary>
    internal static ConversionResult ConvertStream(NetworkLayout layout, Stream weights, long weightsLength, Stream output, ConversionOptions options)
    {
        if (weights == null) throw new ArgumentNullException(nameof(weights));
        if (output == null) throw new ArgumentNullException(nameof(output));
        options ??= new ConversionOptions();
        var plan = ConversionPlan.Create(layout, options.LayerLimit, options.LayerNames);
        var createSink = SinkFactory(options, plan);
        var header = WeightsHeader.Read(weights);
        plan.CheckLength(header, weightsLength);
        using var sink = createSink(output);
        return Run(plan, header, weights, weightsLength, sink, WeightMemoryFor(options.Format, plan), options.Cancellation);
    }

    /// <summary>
    /// The writer of <see cref="ConversionOptions.Format"/>. ONNX builds its graph and metadata (checking the class names)
    /// and safetensors its header from the plan's layout, all before the first layer is read.
    /// </summary>
    private static Func<Stream, ILayerSink> SinkFactory(ConversionOptions options, ConversionPlan plan)
    {
        switch (options.Format)
        {
            case OutputFormat.Onnx:
            {
                if (plan.LayerLimit != null)
                    throw new DarknetException(ErrorCodes.BadLayerLimit, "an ONNX export is the whole network: a layer limit does not apply");
                var graph = Onnx.GraphBuilder.Build(plan.Layout, options.Onnx);
                if (graph.WeightSlots.Count != plan.Blocks.Count)
                    throw new InvalidOperationException($"{plan.Layout.SourceName}: the layout has {plan.Blocks.Count} blocks of floats, the graph {graph.WeightSlots.Count}");
                var metadata = Onnx.OnnxMetadata.For(plan.Layout, options);
                return output => new Onnx.OnnxModelWriter(graph, metadata, output, LibraryVersion.Informational);
            }
            case OutputFormat.Safetensors:
            {
                var entries = Safetensors.SafetensorsWriter.EntriesFor(plan);
                return output => new Safetensors.SafetensorsWriter(output, entries, plan.Layout.SourceName);
            }
            default:
                return output => LayerSinks.Create(options.Format, output, leaveOpen: true);
        }
    }

    /// <summary>The size in bytes of a .weights file that holds exactly what the layout (or its first <paramref name="layerLimit"/> weighted layers) reads.</summary>
    public static long ExpectedFileSize(NetworkLayout layout, int headerSize, int? layerLimit)
    {
        if (headerSize != 16 && headerSize != 20) throw new ArgumentOutOfRangeException(nameof(headerSize), headerSize, "a .weights header is 16 or 20 bytes");
        return headerSize + 4 * ConversionPlan.Create(layout, layerLimit, NoNames(layout)).ExpectedFloats;
    }

    // Names play no part in a size; blanks skip LayerNaming.
    private static string[] NoNames(NetworkLayout layout) => new string[layout.Blocks.Count];

    /// <summary>At most this many floats (96 MiB) in flight, unless the largest layer alone holds more.</summary>
    internal const long MaxFloatsInFlight = 24L << 20;

    /// <summary>
    /// The floats the layers in flight may hold together: two of the largest layers and a half (yolov3's big 3x3
    /// layers alternate with small 1x1 ones), but within <see cref="MaxFloatsInFlight"/>, since a big network's
    /// largest layer is several of yolov3's; never less than the largest layer, which may always start alone.
    /// </summary>
    internal static long FloatsInFlight(ConversionPlan plan)
    {
        long largest = plan.Blocks.Count == 0 ? 0 : plan.Blocks.Max(b => b.FloatCount);
        return Math.Max(largest, Math.Min(largest * 5 / 2, MaxFloatsInFlight));
    }

    /// <summary>
    /// Our own writers are done with a layer when Write returns: the .npy, .npz and safetensors writers read values
    /// in place, so the weights take turns in one ring; the ONNX writer folds arrays, so it gets recycled arrays.
    /// </summary>
    private static IWeightMemory WeightMemoryFor(OutputFormat format, ConversionPlan plan) =>
        format == OutputFormat.Onnx ? new RecycledWeightArrays(enabled: true) : new WeightRing(FloatsInFlight(plan));

    private static ConversionResult Run(ConversionPlan plan, WeightsHeader header, Stream weights, long? weightsLength, ILayerSink sink, IWeightMemory weightArrays,
        CancellationToken cancellation)
    {
        var reader = new FloatStreamReader(weights);
        var layerReader = new LayerReader(reader, header, plan, weightsLength, weightArrays);
        using (var pipeline = new LayerPipeline(plan.Blocks.Count, layerReader.Read, cancellation,
                                                i => plan.Blocks[i].FloatCount, FloatsInFlight(plan), weightArrays))
        {
            for (int i = 0; i < plan.Blocks.Count; i++)
            {
                var layer = pipeline.Take();
                sink.Write(layer);
                weightArrays.Release(layer);
                pipeline.Written();
            }
        }

        if (plan.LayerLimit == null && !weightsLength.HasValue)
        {
            long extra = reader.CountRemaining();
            if (extra > 0 || reader.StrayBytes > 0) throw plan.Leftover(header, extra, reader.StrayBytes, null);
        }
        sink.Complete();
        return new ConversionResult(plan.Blocks.Count, reader.FloatsRead, plan.ExpectedFloats, header);
    }
}
