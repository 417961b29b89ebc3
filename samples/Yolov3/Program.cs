using Darknet.Weights.Numpy;

// The build put yolov3.npy next to this program (As="Content", the default).
var path = Path.Combine(AppContext.BaseDirectory, "yolov3.npy");
var layers = ModelFileReader.ReadFile(path);
foreach (var layer in layers)
{
    var shape = layer.Weights?.ShapeText ?? "-";
    Console.WriteLine($"{layer.Name,-10} weights {shape}{(layer.BatchNorm is null ? "  biases" : "  bn")}");
}
Console.WriteLine($"{layers.Count} convolutional layers from {path}");
