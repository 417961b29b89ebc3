using System.Diagnostics;
using System.Text.Json;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Darknet.Weights.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// export CFG WIDTH HEIGHT OUT.onnx: the cfg with the tests' synthetic weights (TestNetwork), exported.
// run [options] MODEL...: each model in its own session, run alternately (A B C A B C …), medians per model.
// export-all CFG WIDTH HEIGHT DIR, compare [options] NAME...: see Compare.
if (args.Length == 5 && args[0] == "export")
{
    using var temp = new TempDirectory();
    var network = new TestNetwork(temp, args[1], int.Parse(args[2]), int.Parse(args[3]));
    OnnxExporter.ExportFile(network.CfgPath, network.WeightsPath, args[4]);
    return 0;
}
if (args.Length is 5 or 9 && args[0] == "export-all")
{
    static float F(string s) => float.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
    var heads = args.Length == 9 && args[5] == "--trained-like-heads" ? new Compare.HeadBias(F(args[6]), F(args[7]), F(args[8])) : null;
    Compare.Export(args[1], int.Parse(args[2]), int.Parse(args[3]), args[4], heads);
    return 0;
}
if (args.Length >= 2 && args[0] == "compare")
{
    return Compare.Run(args.Skip(1).ToArray());
}
if (args.Length >= 2 && args[0] == "run")
{
    return Bench.Run(args.Skip(1).ToArray());
}
Console.Error.WriteLine("""
    usage: OnnxRuntimeBench export CFG WIDTH HEIGHT OUT.onnx
           OnnxRuntimeBench export-all CFG WIDTH HEIGHT DIR [--trained-like-heads GAIN OBJECTNESS CLASS]
                                                       (DIR/NAME.cfg, NAME.weights, NAME-{layers,boxes,detections}.onnx;
                                                       the [yolo] heads' weights times GAIN, their biases 0, OBJECTNESS, CLASS)
           OnnxRuntimeBench compare [--dir DIR] [--runs 7] [--threads 1,2] [--json OUT] [--no-darknet] NAME...
           OnnxRuntimeBench run [--runs 7] [--size 416] [--threads 1] [--spin 0|1] [--profile [--nodes OUT.tsv]] [--check] [--mish NAMES.txt]... MODEL...
      --threads/--spin take a comma-separated list: every combination is a session of its own.
      --profile: ONNX Runtime's profiler on (per-node kernel time), reported per run; --mish: per model, in order, the
      node names of its mish activations (one a line), whose kernel time is reported apart. --nodes: each node's
      kernel ms per run, appended to OUT.tsv (case, node, ms). --check: every model's outputs against the first
      model's (max differences), before the timed runs.
    """);
return 2;

internal static class Bench
{
    public static int Run(string[] args)
    {
        int runs = 7, size = 416;
        var threads = new[] { 1 };
        var spins = new[] { "1" };
        bool profile = false, check = false;
        string? nodesFile = null;
        var models = new List<string>();
        var mishFiles = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i]); break;
                case "--size": size = int.Parse(args[++i]); break;
                case "--threads": threads = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--spin": spins = args[++i].Split(','); break;
                case "--profile": profile = true; break;
                case "--check": check = true; break;
                case "--nodes": nodesFile = args[++i]; break;
                case "--mish": mishFiles.Add(args[++i]); break;
                default: models.Add(args[i]); break;
            }
        }

        var random = new Random(12);
        var image = new float[3 * size * size];
        for (int i = 0; i < image.Length; i++) image[i] = (float)random.NextDouble();
        var input = new[] { NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(image, new[] { 1, 3, size, size })) };

        var cases = new List<Case>();
        for (int m = 0; m < models.Count; m++)
        {
            var mish = m < mishFiles.Count ? new HashSet<string>(File.ReadAllLines(mishFiles[m])) : new HashSet<string>();
            foreach (var t in threads)
            foreach (var s in spins)
            {
                var options = new SessionOptions
                {
                    GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                    ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                    IntraOpNumThreads = t,
                    InterOpNumThreads = 1,
                };
                options.AddSessionConfigEntry("session.intra_op.allow_spinning", s);
                var label = $"{Path.GetFileNameWithoutExtension(models[m])} intra={t} spin={s}";
                if (profile)
                {
                    options.EnableProfiling = true;
                    options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "ortbench-" + Guid.NewGuid().ToString("N"));
                }
                cases.Add(new Case(label, new InferenceSession(models[m], options), mish));
            }
        }

        foreach (var c in cases) for (int w = 0; w < 2; w++) c.Session.Run(input).Dispose(); // warm-up (the profile drops these runs)
        if (check) Check(cases, input);
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < runs; r++)
        {
            foreach (var c in cases)
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                c.Session.Run(input).Dispose();
                watch.Stop();
                process.Refresh();
                c.Wall.Add(watch.Elapsed.TotalMilliseconds);
                c.Cpu.Add((process.TotalProcessorTime - cpu).TotalMilliseconds);
            }
        }

        Console.WriteLine($"{runs} alternating runs each, one {size}x{size} image, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end");
        Console.WriteLine(profile
            ? "case | median wall ms | median CPU ms | median kernel ms | mish kernel ms | mish share | top ops by kernel time"
            : "case | median wall ms | min wall ms | median CPU ms");
        foreach (var c in cases)
        {
            if (profile)
            {
                var p = Profile.Read(c.Session.EndProfiling(), c.Mish, warmUp: 2);
                Console.WriteLine($"{c.Label} | {Median(c.Wall):F1} | {Median(c.Cpu):F1} | {Median(p.Total):F1} | {Median(p.Mish):F1} | " +
                                  $"{Median(p.Mish.Zip(p.Total, (a, b) => a / b).ToList()):P1} | " +
                                  string.Join(", ", p.ByOp.OrderByDescending(o => o.Value).Take(6).Select(o => $"{o.Key} {o.Value / runs:F1}")));
                if (nodesFile != null)
                    File.AppendAllLines(nodesFile, p.ByNode.Select(n => $"{c.Label}\t{n.Key}\t{n.Value / runs:F3}"));
            }
            else
            {
                Console.WriteLine($"{c.Label} | {Median(c.Wall):F1} | {c.Wall.Min():F1} | {Median(c.Cpu):F1}");
            }
            c.Session.Dispose();
        }
        return 0;
    }

    /// <summary>--check: every case's outputs against the first case's, output by output in graph order.</summary>
    private static void Check(List<Case> cases, NamedOnnxValue[] input)
    {
        List<float[]> Outputs(Case c)
        {
            using var results = c.Session.Run(input);
            return results.Select(r => r.AsTensor<float>().ToArray()).ToList();
        }
        var reference = Outputs(cases[0]);
        foreach (var c in cases.Skip(1))
        {
            var outputs = Outputs(c);
            for (int o = 0; o < reference.Count; o++)
            {
                double maxAbs = 0, maxRef = 0, maxRel = 0;
                for (int i = 0; i < reference[o].Length; i++)
                {
                    double a = reference[o][i], d = Math.Abs(outputs[o][i] - a);
                    maxAbs = Math.Max(maxAbs, d);
                    maxRef = Math.Max(maxRef, Math.Abs(a));
                    maxRel = Math.Max(maxRel, d / Math.Max(Math.Abs(a), 1e-3));
                }
                Console.WriteLine($"check {c.Label} output {o}: max |diff| {maxAbs:G3}, / max |reference| ({maxRef:G3}) = {maxAbs / maxRef:G3}, max |diff|/max(|ref|, 1e-3) {maxRel:G3}");
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private sealed record Case(string Label, InferenceSession Session, HashSet<string> Mish)
    {
        public List<double> Wall { get; } = new();
        public List<double> Cpu { get; } = new();
    }
}

/// <summary>ONNX Runtime's profile (Chrome trace JSON): per run (a model_run event), the kernel time of its nodes.</summary>
internal sealed class Profile
{
    public List<double> Total { get; } = new();
    public List<double> Mish { get; } = new();
    public Dictionary<string, double> ByOp { get; } = new();
    public Dictionary<string, double> ByNode { get; } = new();

    public static Profile Read(string path, HashSet<string> mish, int warmUp)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        File.Delete(path);
        var events = json.RootElement.EnumerateArray().ToList();
        var runs = events.Where(e => e.GetProperty("name").GetString() == "model_run")
            .Select(e => (Start: e.GetProperty("ts").GetInt64(), End: e.GetProperty("ts").GetInt64() + e.GetProperty("dur").GetInt64()))
            .OrderBy(r => r.Start).Skip(warmUp).ToList();
        var result = new Profile();
        foreach (var run in runs)
        {
            double total = 0, inMish = 0;
            foreach (var e in events)
            {
                if (e.GetProperty("cat").GetString() != "Node") continue;
                var name = e.GetProperty("name").GetString()!;
                if (!name.EndsWith("_kernel_time")) continue;
                long ts = e.GetProperty("ts").GetInt64();
                if (ts < run.Start || ts > run.End) continue;
                double ms = e.GetProperty("dur").GetInt64() / 1000.0;
                var node = name.Substring(0, name.Length - "_kernel_time".Length);
                var op = e.GetProperty("args").GetProperty("op_name").GetString()!;
                total += ms;
                if (mish.Contains(node)) inMish += ms;
                result.ByOp[op] = result.ByOp.GetValueOrDefault(op) + ms;
                result.ByNode[node] = result.ByNode.GetValueOrDefault(node) + ms;
            }
            result.Total.Add(total);
            result.Mish.Add(inMish);
        }
        return result;
    }
}
