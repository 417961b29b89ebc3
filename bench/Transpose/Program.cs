using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Darknet.Weights;

BenchmarkRunner.Run<TransposeBenchmarks>(args: args);

/// <summary>
/// One of yolov3's largest layers, 3x3 from 512 to 1024 channels (4.7M floats, 18.9 MB), placed from darknet's
/// (out, in, h, w) order into (h, w, in, out): element by element as it streams in (the first converter), and in
/// blocks of whole output channels, one 1 MiB chunk at a time (what it does now: SSE 4x4 blocks on x64).
/// </summary>
[MemoryDiagnoser]
public class TransposeBenchmarks
{
    private const int Out = 1024, In = 512, Size = 3, Chunk = 256 * 1024;
    private readonly float[] _source = new float[Out * In * Size * Size];
    private readonly float[] _destination = new float[Out * In * Size * Size];
    private readonly float[] _chunk = new float[Chunk];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < _source.Length; i++) _source[i] = (float)random.NextDouble();
    }

    [Benchmark(Baseline = true)]
    public void ElementByElement()
    {
        var t = new WeightTransposition(_destination, Out, In, Size, Size);
        for (int at = 0; at < _source.Length; at += 64 * 1024)
        {
            int n = Math.Min(64 * 1024, _source.Length - at);
            Array.Copy(_source, at, _chunk, 0, n);
            t.Add(_chunk.AsSpan(0, n));
        }
    }

    [Benchmark]
    public void BlocksOfOutputChannels()
    {
        var t = new WeightTransposition(_destination, Out, In, Size, Size);
        int row = In * Size * Size, rowsPerChunk = Chunk / row;
        for (int o = 0; o < Out; o += rowsPerChunk)
        {
            int rows = Math.Min(rowsPerChunk, Out - o);
            Array.Copy(_source, o * row, _chunk, 0, rows * row);
            t.AddRows(_chunk, rows);
        }
    }
}
