// Writes model/hello.weights for model/hello.cfg: a Darknet 0.2 header and seeded float32 values a trained network
// could hold (HelloDarknet's raw random floats would give negative batch-norm variances, and darknet NaNs):
// weights uniform with variance 1/fan-in, batch-norm gamma and variance in [0.5, 1.5], beta and mean in [-0.1, 0.1].
// Run from this folder with: dotnet run make-weights.cs. The output is committed, so building the sample never runs this.
using System.Text;

var path = Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "hello.weights");
using var writer = new BinaryWriter(File.Create(path), Encoding.UTF8);
writer.Write(0); writer.Write(2); writer.Write(0); // major, minor, revision: version 0.2 -> 64-bit "seen"
writer.Write(0L);                                   // images seen
uint state = 2026;                                  // xorshift32, seeded: the same file every time
var count = 0;

BatchNormConv(filters: 8, inputs: 3, size: 3);
BatchNormConv(filters: 16, inputs: 8, size: 3);
Uniform(10, -0.5, 0.5);                              // conv 3: biases
Uniform(10 * 16, -Math.Sqrt(3.0 / 16), Math.Sqrt(3.0 / 16));
Console.WriteLine($"wrote {path}: {count} floats, {20 + 4 * count} bytes");

void BatchNormConv(int filters, int inputs, int size)
{
    Uniform(filters, -0.1, 0.1); // beta
    Uniform(filters, 0.5, 1.5);  // gamma
    Uniform(filters, -0.1, 0.1); // moving mean
    Uniform(filters, 0.5, 1.5);  // moving variance
    var a = Math.Sqrt(3.0 / (inputs * size * size));
    Uniform(filters * inputs * size * size, -a, a);
}

void Uniform(int n, double low, double high)
{
    for (var i = 0; i < n; i++)
    {
        state ^= state << 13; state ^= state >> 17; state ^= state << 5;
        writer.Write((float)(low + (high - low) * (state / (double)uint.MaxValue)));
        count++;
    }
}
