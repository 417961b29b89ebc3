using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Darknet.Weights.Tests.Fuzz;

/// <summary>One input: its bytes, where it came from (a bomb's name, or the mutations applied to which seed) and a
/// variant the target reads it in (which cfg, a seekable stream or a pipe).</summary>
internal sealed record FuzzCase(byte[] Bytes, string Origin, int Variant);

/// <summary>What a run saw; <see cref="Failures"/> is empty when every case ended in success or a DarknetException.</summary>
internal sealed record FuzzReport(string Kind, int Cases, int Bombs, int DarknetErrors, int Successes, IReadOnlyList<string> Failures,
    TimeSpan MaxCaseTime, string SlowestCase, long MaxCaseAllocated, string HungriestCase, TimeSpan Wall, long PeakRss)
{
    public override string ToString() =>
        $"fuzz {Kind}: {Cases:N0} cases ({Bombs} bombs), {Successes:N0} read, {DarknetErrors:N0} DarknetException, " +
        $"{Failures.Count} failures (other exceptions, hangs, allocation over the bound); max case time {MaxCaseTime.TotalMilliseconds:N1} ms ({SlowestCase}); " +
        $"max allocated by one case {MaxCaseAllocated:N0} bytes ({HungriestCase}); wall {Wall.TotalSeconds:N1} s; process peak RSS {PeakRss:N0} bytes";
}

/// <summary>
/// A seeded mutational fuzzer run inside xunit. Why not SharpFuzz (served by NuGet): it needs the library rewritten by
/// its instrumentation tool and an AFL or libFuzzer driver process, neither of which `dotnet test` or the CI runs; its
/// coverage guidance pays off over hours, while the criteria here (only DarknetException, no hang, bounded memory) are
/// properties of each single input that mutations of valid seeds plus hand-made bombs reach in seconds. Every case is
/// made from its own seed (kind and index), so a failure names the seed, writes the input to a file, and
/// DARKNET_FUZZ_CASE=index replays exactly that case.
/// Environment: DARKNET_FUZZ_CASES (cases per kind; default <see cref="CiCases"/>), DARKNET_FUZZ_SEED (base seed),
/// DARKNET_FUZZ_CASE (run one case), DARKNET_FUZZ_OUT (where failing inputs go; default the temp folder).
/// </summary>
internal static class FuzzHarness
{
    /// <summary>The seeded slice the normal test run does: a few seconds per kind.</summary>
    public const int CiCases = 3000;

    /// <summary>
    /// A case running longer than this is a hang (it is left running on its thread and the test fails). The slowest
    /// case (a 4 MB opcode bomb) takes under a second; the margin is for a CI machine shared by many jobs.
    /// </summary>
    public static readonly TimeSpan PerCaseTimeout = TimeSpan.FromSeconds(60);

    public static int Cases => int.TryParse(Environment.GetEnvironmentVariable("DARKNET_FUZZ_CASES"), out var n) && n > 0 ? n : CiCases;

    /// <summary>True when the full run was asked for (DARKNET_FUZZ_CASES set): the process-wide peak RSS is then asserted too.</summary>
    public static bool FullRun => Environment.GetEnvironmentVariable("DARKNET_FUZZ_CASES") != null;

    private static int BaseSeed => int.TryParse(Environment.GetEnvironmentVariable("DARKNET_FUZZ_SEED"), out var s) ? s : 7;

    /// <summary>The seed of case <paramref name="index"/> of <paramref name="kind"/>: FNV-1a of the kind, mixed with the base seed and index.</summary>
    public static int CaseSeed(string kind, int index)
    {
        uint h = 2166136261;
        foreach (var c in kind) h = (h ^ c) * 16777619;
        h ^= (uint)BaseSeed * 0x9E3779B1u;
        h ^= (uint)index * 0x85EBCA6Bu;
        h ^= h >> 15;
        return (int)(h & 0x7fffffff);
    }

    /// <summary>
    /// Runs <paramref name="cases"/> cases of <paramref name="kind"/>: the bombs first, then mutations that
    /// <paramref name="mutate"/> makes from its Random. Each case runs on one worker thread whose allocations are
    /// measured; one that throws anything but DarknetException, runs past <see cref="PerCaseTimeout"/> or allocates more
    /// than <paramref name="maxAllocatedPerCase"/> is a failure.
    /// </summary>
    public static FuzzReport Run(string kind, int cases, IReadOnlyList<(string Name, FuzzCase Case)> bombs, Func<Random, FuzzCase> mutate,
        Action<FuzzCase> target, long maxAllocatedPerCase)
    {
        var wall = Stopwatch.StartNew();
        var failures = new List<string>();
        int errors = 0, successes = 0, run = 0;
        var maxTime = TimeSpan.Zero;
        long maxAllocated = 0;
        string slowest = "", hungriest = "";
        int only = int.TryParse(Environment.GetEnvironmentVariable("DARKNET_FUZZ_CASE"), out var o) ? o : -1;
        using var worker = new CaseRunner();
        for (int i = only >= 0 ? only : 0; i < (only >= 0 ? only + 1 : cases); i++)
        {
            int seed = CaseSeed(kind, i);
            var c = i < bombs.Count ? bombs[i].Case : mutate(new Random(seed));
            var result = worker.Run(() => target(c), PerCaseTimeout);
            run++;
            string label = $"case {i} (seed {seed}, {c.Origin}, variant {c.Variant})";
            if (result.Hung)
            {
                failures.Add(Failure(kind, i, seed, c, $"still running after {PerCaseTimeout.TotalSeconds} s (a hang)"));
                break; // the worker is stuck in it
            }
            if (result.Error is DarknetException) errors++;
            else if (result.Error != null) failures.Add(Failure(kind, i, seed, c, $"threw {result.Error}"));
            else successes++;
            if (result.Allocated > maxAllocatedPerCase)
                failures.Add(Failure(kind, i, seed, c, $"allocated {result.Allocated:N0} bytes from a {c.Bytes.Length:N0}-byte input (bound {maxAllocatedPerCase:N0})"));
            if (result.Elapsed > maxTime) (maxTime, slowest) = (result.Elapsed, label);
            if (result.Allocated > maxAllocated) (maxAllocated, hungriest) = (result.Allocated, label);
            if (failures.Count >= 10) break;
        }
        return new FuzzReport(kind, run, Math.Min(bombs.Count, run), errors, successes, failures, maxTime, slowest, maxAllocated, hungriest, wall.Elapsed, PeakRssBytes());
    }

    private static string Failure(string kind, int index, int seed, FuzzCase c, string what)
    {
        var dir = Environment.GetEnvironmentVariable("DARKNET_FUZZ_OUT") ?? Path.Combine(Path.GetTempPath(), "darknet-fuzz");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{kind}-case{index}-seed{seed}-variant{c.Variant}.bin");
        File.WriteAllBytes(path, c.Bytes);
        return $"fuzz {kind} case {index} (seed {seed}, {c.Origin}, variant {c.Variant}) {what}; input written to {path}; " +
               $"replay it alone with DARKNET_FUZZ_CASE={index} (and DARKNET_FUZZ_SEED={BaseSeed})";
    }

    /// <summary>This process's peak resident set size (VmHWM in /proc/self/status), or -1 where there is no /proc.</summary>
    public static long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Substring(6).Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
        }
        return -1;
    }

    /// <summary>One background thread that runs a case at a time, so a case that never returns can be detected and left behind.</summary>
    private sealed class CaseRunner : IDisposable
    {
        private readonly Thread _thread;
        private readonly SemaphoreSlim _start = new(0);
        private readonly SemaphoreSlim _done = new(0);
        private Action? _action;
        private (Exception? Error, TimeSpan Elapsed, long Allocated) _result;
        private bool _stop;

        public CaseRunner()
        {
            _thread = new Thread(Loop, 16 << 20) { IsBackground = true, Name = "fuzz case" };
            _thread.Start();
        }

        public (Exception? Error, TimeSpan Elapsed, long Allocated, bool Hung) Run(Action action, TimeSpan timeout)
        {
            _action = action;
            _start.Release();
            if (!_done.Wait(timeout)) return (null, timeout, 0, true);
            return (_result.Error, _result.Elapsed, _result.Allocated, false);
        }

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                if (_stop) return;
                Exception? error = null;
                long before = GC.GetAllocatedBytesForCurrentThread();
                var time = Stopwatch.StartNew();
                try
                {
                    _action!();
                }
                catch (Exception e)
                {
                    error = e;
                }
                _result = (error, time.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
                _done.Release();
            }
        }

        public void Dispose()
        {
            _stop = true;
            _start.Release();
        }
    }
}
