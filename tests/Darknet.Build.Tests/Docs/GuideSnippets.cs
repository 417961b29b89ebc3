using Darknet.Weights;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Darknet.Build.Tests.Docs;

/// <summary>
/// The guide's C# snippets that no sample or runtime test holds, as the guide shows them: compiled with the tests (so an
/// API they name cannot change under the docs), never called (they open files under the build output's names).
/// <see cref="DocSnippetsTests"/> keeps each guide block a run of this file's lines.
/// </summary>
internal static class GuideSnippets
{
    /// <summary>"Reading the output", in .NET.</summary>
    internal static void ReadingTheOutput(string path)
    {
        // The build put yolov3.npy next to the program (As="Content", the default): under `dotnet run` too.
        var model = ModelFile.Load(Path.Combine(AppContext.BaseDirectory, "yolov3.npy"));
        foreach (ModelLayer layer in model.Layers)
            Console.WriteLine($"{layer.Name} {layer.Weights}");      // conv_1 (3, 3, 3, 32)   (h, w, in, out)

        ModelLayer conv1 = model["conv_1"];                         // by name; model.TryGetLayer(name, out var layer)
        BatchNorm bn = conv1.BatchNorm!;                            // null on a conv with biases (conv_1_7: layer.Biases)
        ReadOnlySpan<float> gamma = bn.Gamma.Span;                  // also bn.Beta, bn.MovingMean, bn.MovingVariance
        ReadOnlyMemory<float> kernel = conv1.Weights!.Memory;       // views of the loaded floats: nothing is copied
        IReadOnlyList<int> shape = conv1.Weights.Shape;             // [3, 3, 3, 32], C order

        // As="EmbeddedResource": the resource is named after the file (or LogicalName). Its arrays view the resource in the
        // assembly's image: the floats are not copied (see below).
        var embedded = ModelFile.Load(typeof(Program).Assembly, "yolov3.npy");

        // A file from elsewhere: allow at most 1 GiB of arrays (default 4 GiB, DKN3007 over it).
        var capped = ModelFile.Load(path, new ModelFileOptions { MaxTotalBytes = 1L << 30 });
    }

    /// <summary>"Running the network in .NET", then reading the class names from the session's metadata.</summary>
    internal static void RunningTheNetwork()
    {
        // One intra-op thread with spinning was the fastest for yolov3, yolov4 and yolov4-tiny on a 2-core machine shared
        // with other work (docs/benchmarks.md, "Session options"); measure with bench/onnxruntime.sh on yours.
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "1");
        using var session = new InferenceSession(Path.Combine(AppContext.BaseDirectory, "yolov3.onnx"), options);
        var image = new DenseTensor<float>(new[] { 1, 3, 416, 416 });   // RGB, values in [0, 1], planar (NCHW)
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", image) });
        foreach (var r in results) Console.WriteLine($"{r.Name} [{string.Join(", ", r.AsTensor<float>().Dimensions.ToArray())}]");
        // yolo_82 [1, 255, 13, 13]   yolo_94 [1, 255, 26, 26]   yolo_106 [1, 255, 52, 52]

        var names = System.Text.Json.JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap["names"]);
    }

    /// <summary>Stands for the user's program, whose assembly embeds the model.</summary>
    private sealed class Program
    {
    }
}
