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
    // The arrays view the resource in the mapped assembly image: the floats are not held a second time.
    // (No resource: DKN3006, listing what the assembly has; the harness builds with -p:BenchNpy=PATH.)
    model = ModelFile.Load(Assembly.GetExecutingAssembly(), "model.npy");
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
