using System.Diagnostics;
using System.Text;

namespace Darknet.Testing;

/// <summary>
/// The one way tests run a command as a real process: its exit code and what it wrote (each stream, and both in the order
/// they came), or a timeout that kills its tree. Reading stops when the process exits: a grandchild that outlives it (a
/// build node, a background job) may hold the pipes open, and its output is not the command's.
/// </summary>
public static class ProcessRun
{
    /// <summary>How long, after the process exits, its pipes may take to deliver what it wrote before reading stops.</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(5);

    public sealed record Result(string Command, int Exit, string Stdout, string Stderr, string Output, TimeSpan Elapsed)
    {
        public override string ToString() => $"{Command} -> exit {Exit} in {Elapsed.TotalSeconds:0.0}s\n{Output}";
    }

    public sealed record Options
    {
        public string? WorkingDirectory { get; init; }

        /// <summary>Variables to set (or, with a null value, remove) for the child only.</summary>
        public IReadOnlyDictionary<string, string?>? Environment { get; init; }

        /// <summary>A command the process runs under, e.g. <c>unshare -p --fork</c> or <c>env --default-signal=INT</c>.</summary>
        public IReadOnlyList<string> Prefix { get; init; } = Array.Empty<string>();

        /// <summary>Written to the process's standard input, which is then closed; null leaves it the test host's.</summary>
        public string? Input { get; init; }

        public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

        /// <summary>Gets the process id, on another thread, once the process has started; waited for (up to the timeout) after it exits.</summary>
        public Action<int>? WhileRunning { get; init; }

        /// <summary>How long, after the process exits, <see cref="WhileRunning"/> may still take; by default the timeout.</summary>
        public TimeSpan? WhileRunningWait { get; init; }
    }

    public static Result Run(string file, params string[] args) => Run(new Options(), file, args);

    public static Result Run(string file, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Run(new Options { Environment = environment }, file, args);

    public static Result Run(Options options, string file, params string[] args)
    {
        var watch = Stopwatch.StartNew();
        using var process = Start(options, file, args);
        var command = string.Join(' ', options.Prefix.Append(file).Concat(args));
        var merged = new StringBuilder();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var readers = new[]
        {
            PumpAsync(process.StandardOutput, stdout, merged),
            PumpAsync(process.StandardError, stderr, merged),
        };
        if (options.Input != null)
        {
            process.StandardInput.Write(options.Input);
            process.StandardInput.Close();
        }
        var watcher = options.WhileRunning is { } whileRunning ? Task.Run(() => whileRunning(process.Id)) : Task.CompletedTask;
        if (!process.WaitForExit(options.Timeout))
        {
            process.Kill(entireProcessTree: true);
            Task.WaitAll(readers, Drain);
            lock (merged) throw new TimeoutException($"{command} did not finish in {options.Timeout.TotalMinutes:0.#} minutes\n{merged}");
        }
        Task.WaitAll(readers, Drain);
        watcher.Wait(options.WhileRunningWait ?? options.Timeout);
        lock (merged) return new Result(command, process.ExitCode, stdout.ToString(), stderr.ToString(), merged.ToString(), watch.Elapsed);
    }

    /// <summary>
    /// Starts the command with its output redirected, for a test that acts while it runs: the caller reads both streams
    /// (or the child may block on a full pipe) and waits. <see cref="Run(Options, string, string[])"/> does all that.
    /// </summary>
    public static Process Start(Options options, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(options.Prefix.Count > 0 ? options.Prefix[0] : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = options.Input != null,
            UseShellExecute = false,
        };
        if (options.WorkingDirectory != null) psi.WorkingDirectory = options.WorkingDirectory;
        foreach (var argument in options.Prefix.Skip(1).Concat(options.Prefix.Count > 0 ? new[] { file } : Array.Empty<string>()).Concat(args))
            psi.ArgumentList.Add(argument);
        foreach (var (name, value) in options.Environment ?? new Dictionary<string, string?>())
        {
            if (value == null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        }
        return Process.Start(psi)!;
    }

    // Asynchronous reads: a blocking read per stream would hold a thread-pool thread for the whole run, and tests that
    // run many processes at once would starve the pool the loopback server answers on.
    private static async Task PumpAsync(StreamReader reader, StringBuilder own, StringBuilder merged)
    {
        var buffer = new char[4096];
        try
        {
            int n;
            while ((n = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
            {
                lock (merged)
                {
                    own.Append(buffer, 0, n);
                    merged.Append(buffer, 0, n);
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
            // The process was disposed while a grandchild still held the pipe: what it writes now is not the command's.
        }
    }
}
