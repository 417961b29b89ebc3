// usage: ReadBack file PATH.npy | ReadBack resource
// Loads the model with the public reader and touches every float (a checksum), so the peak memory is the reader's real cost.
using System.Reflection;
using Darknet.Weights;

ModelFile model;
if (args.Length == 2 && args[0] == "file")
{
    model = ModelFile.Load(args[1]);
}
else if (args.Length == 1 && args[0] == "resource")
{
    using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("model.npy")
                       ?? throw new InvalidOperationException("no embedded model.npy: build with -p:BenchNpy=PATH");
    model = ModelFile.Load(stream);
}
else
{
    Console.Error.WriteLine("usage: ReadBack file PATH.npy | ReadBack resource");
    return 2;
}

long floats = 0;
double sum = 0;
void Add(Float32Array? a)
{
    if (a == null) return;
    foreach (var v in a.Span) sum += v;
    floats += a.Span.Length;
}
foreach (var layer in model.Layers)
{
    Add(layer.Weights);
    Add(layer.Biases);
    if (layer.BatchNorm is { } bn)
    {
        Add(bn.Gamma);
        Add(bn.Beta);
        Add(bn.MovingMean);
        Add(bn.MovingVariance);
    }
}
Console.WriteLine($"{model.Layers.Count} layers, {floats} floats, checksum {sum:R}");
return 0;
