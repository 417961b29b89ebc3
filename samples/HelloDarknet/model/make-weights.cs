// Writes model/hello.weights: a Darknet 0.2 header and seeded pseudo-random float32 values, exactly as many as
// model/hello.cfg reads (1,634). Run from this folder with: dotnet run make-weights.cs
// The output is committed, so building the sample never runs this.
using System.Text;

const int FloatCount = 8 * 4 + 8 * 3 * 3 * 3      // conv 1: beta, gamma, mean, variance; 8 filters of 3x3x3
                     + 16 * 4 + 16 * 8 * 3 * 3    // conv 2: batch norm; 16 filters of 3x3x8
                     + 10 + 10 * 16;              // conv 3: biases; 10 filters of 1x1x16

var path = Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "hello.weights");
using var writer = new BinaryWriter(File.Create(path), Encoding.UTF8);
writer.Write(0); writer.Write(2); writer.Write(0); // major, minor, revision: version 0.2 -> 64-bit "seen"
writer.Write(0L);                                   // images seen
uint state = 2026;                                  // xorshift32, seeded: the same file every time
for (var i = 0; i < FloatCount; i++)
{
    state ^= state << 13; state ^= state >> 17; state ^= state << 5;
    writer.Write((state / (float)uint.MaxValue) - 0.5f);
}
Console.WriteLine($"wrote {path}: {FloatCount} floats, {20 + 4 * FloatCount} bytes");
