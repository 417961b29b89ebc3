using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// The build exported model/hello.cfg + model/hello.weights to hello.onnx beside this program.
var modelPath = Path.Combine(AppContext.BaseDirectory, "hello.onnx");
// The guide's settings: one intra-op thread with spinning (docs/benchmarks.md, "Session options").
using var options = new SessionOptions
{
    GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    IntraOpNumThreads = 1,
    InterOpNumThreads = 1,
};
options.AddSessionConfigEntry("session.intra_op.allow_spinning", "1");
using var session = new InferenceSession(modelPath, options);
foreach (var (name, meta) in session.InputMetadata)
    Console.WriteLine($"input  {name} [{Dims(meta)}]");

// The network is fully convolutional, so height and width are free: run it at its cfg size and at another.
foreach (var (height, width) in new[] { (32, 32), (48, 64) })
{
    var input = new DenseTensor<float>(new[] { 1, 3, height, width });
    for (var c = 0; c < 3; c++)
    for (var y = 0; y < height; y++)
    for (var x = 0; x < width; x++)
        input[0, c, y, x] = 0.5f + 0.5f * MathF.Sin(0.3f * x + 0.2f * y + c); // a generated "image" in [0, 1]

    using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", input) });
    foreach (var result in results)
    {
        var output = result.AsTensor<float>();
        var values = output.ToArray();
        double sum = 0, checksum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            checksum += (i + 1) * (double)values[i];
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{height}x{width}: output {result.Name} [{string.Join(", ", output.Dimensions.ToArray())}] sum {sum:F6} checksum {checksum:F6}"));
    }
}

static string Dims(NodeMetadata meta) =>
    string.Join(", ", meta.Dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : meta.SymbolicDimensions[i]));
