using Darknet.Weights;

// The build put yolov3.npy next to this program (As="Content", the default).
var path = Path.Combine(AppContext.BaseDirectory, "yolov3.npy");
var model = ModelFile.Load(path);
foreach (var layer in model.Layers)
    Console.WriteLine($"{layer.Name,-10} weights {layer.Weights?.ToString() ?? "-"}{(layer.BatchNorm is null ? "  biases" : "  bn")}");
Console.WriteLine($"{model.Layers.Count} convolutional layers from {path}");

// The first detection head's output conv: 255 = 3 anchors x (4 box + 1 objectness + 80 classes).
var head = model["conv_1_7"];
Console.WriteLine($"conv_1_7: weights {head.Weights}, biases {head.Biases}");
