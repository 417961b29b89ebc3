using System.Reflection;
using Darknet.Weights;
using Darknet.Weights.Numpy;

// The build converted model/hello.weights to hello.npy and embedded it; read it back with the reader library.
const string resourceName = "hello.npy";
using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resourceName)
    ?? throw new InvalidOperationException($"no embedded resource {resourceName}");

var layers = ModelFileReader.Read(stream);
double checksum = 0;
long floats = 0;
foreach (var layer in layers)
{
    var parts = new List<string>();
    if (layer.Weights is { } w) parts.Add($"weights {w.ShapeText}");
    if (layer.Biases is { } b) parts.Add($"biases {b.ShapeText}");
    if (layer.BatchNorm is { } bn) parts.Add($"bn 4 x {bn[0].ShapeText}");
    Console.WriteLine($"{layer.Name,-8} {string.Join("  ", parts)}");

    foreach (var tensor in Tensors(layer))
    {
        floats += tensor.Data.Length;
        foreach (var value in tensor.Data) checksum += value;
    }
}
Console.WriteLine($"{layers.Count} layers, {floats} floats, checksum {checksum:F6}");

static IEnumerable<Tensor> Tensors(LayerParameters layer)
{
    if (layer.Weights is { } w) yield return w;
    if (layer.Biases is { } b) yield return b;
    foreach (var t in layer.BatchNorm ?? Array.Empty<Tensor>()) yield return t;
}
