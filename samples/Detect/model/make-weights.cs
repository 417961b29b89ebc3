// Writes model/shapes.weights for model/shapes.cfg: a Darknet 0.2 header, then each convolution's biases and weights
// (filter by filter, input channel by channel, row by row), as darknet's loader reads them. No training: each layer is
// set by hand to do what the cfg's comments say, so the network finds the red square and the blue disc of
// images/scene.png (or of any picture holding such shapes about 48 pixels across at its 160x160 input).
// Run from this folder with: dotnet run make-weights.cs. The output is committed, so building the sample never runs this.
using System.Text;

var path = Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "shapes.weights");
using var writer = new BinaryWriter(File.Create(path), Encoding.UTF8);
writer.Write(0); writer.Write(2); writer.Write(0); // major, minor, revision: version 0.2 -> 64-bit "seen"
writer.Write(0L);                                   // images seen
var count = 0;

// conv 1 (1x1, RGB in): red = 2R - G - B - 1, blue = 2B - R - G - 1, then relu.
Write(-1, -1);
Write(2, -1, -1);
Write(-1, -1, 2);

// conv 2 (16x16, stride 16): each channel's average over the cell.
Write(0, 0);
for (var filter = 0; filter < 2; filter++)
for (var input = 0; input < 2; input++)
    for (var i = 0; i < 16 * 16; i++) Write(input == filter ? 1f / 256 : 0);

// conv 3 (3x3 over the cells), one anchor: tx, ty, tw, th, objectness, "red square", "blue disc". Objectness is
// 30·(red + 1.3·blue) − 25 over the 3x3 cells' mean: positive where more than 83% of the 48x48 pixels are red, or 64%
// blue (a disc fills π/4 of its square), so only the cell at a shape's centre scores (its neighbours see 67% at most).
// The class logits are ±10·(red − blue).
float[] biases = { 0, 0, 0, 0, -25, 0, 0 };
float[][] perInput = { new[] { 0f, 0, 0, 0, 30, 10, -10 }, new[] { 0f, 0, 0, 0, 39, -10, 10 } }; // [input][filter]
Write(biases);
for (var filter = 0; filter < 7; filter++)
for (var input = 0; input < 2; input++)
    for (var i = 0; i < 9; i++) Write(perInput[input][filter] / 9);
Console.WriteLine($"wrote {path}: {count} floats, {20 + 4 * count} bytes");

void Write(params float[] values)
{
    foreach (var value in values) writer.Write(value);
    count += values.Length;
}
