using Darknet.Weights;

// The build converted model/hello.weights to hello.npy and embedded it; read it back with the reader library.
// The arrays view the resource in the assembly's image: nothing is copied. (A wrong name is DKN3006, listing the names.)
var model = ModelFile.Load(typeof(Program).Assembly, "hello.npy");
double checksum = 0;
long floats = 0;
foreach (var layer in model.Layers)
{
    var parts = new List<string>();
    if (layer.Weights is { } w) parts.Add($"weights {w}");
    if (layer.Biases is { } b) parts.Add($"biases {b}");
    if (layer.BatchNorm is { } bn) parts.Add($"bn 4 x {bn.Gamma}");
    Console.WriteLine($"{layer.Name,-8} {string.Join("  ", parts)}");

    foreach (var array in Arrays(layer))
    {
        floats += array.Length;
        foreach (var value in array.Span) checksum += value;
    }
}
Console.WriteLine($"{model.Layers.Count} layers, {floats} floats, checksum {checksum:F6}");

// A layer by name, its batch norm by parameter name.
var first = model["conv_1"].BatchNorm!;
Console.WriteLine($"conv_1 gamma[0] {first.Gamma.Span[0]:F6}, moving variance[0] {first.MovingVariance.Span[0]:F6}");

static IEnumerable<Float32Array> Arrays(ModelLayer layer)
{
    if (layer.Weights is { } w) yield return w;
    if (layer.Biases is { } b) yield return b;
    if (layer.BatchNorm is { } bn)
    {
        yield return bn.Gamma;
        yield return bn.Beta;
        yield return bn.MovingMean;
        yield return bn.MovingVariance;
    }
}
