using System.Diagnostics;
using Darknet.Cli;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Cli;

internal static class CliRunner
{
    /// <summary>Runs the CLI's entry in this process.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the built darknet.dll (copied next to this test assembly by the project reference) as a real process.</summary>
    public static (int Exit, string Stdout, string Stderr) RunProcess(params string[] args) => RunProcessIn(null, args);

    /// <summary>The same, started in <paramref name="workingDirectory"/> (for relative spellings of paths).</summary>
    public static (int Exit, string Stdout, string Stderr) RunProcessIn(string? workingDirectory, params string[] args)
    {
        var result = DarknetProcess.Run(new ProcessRun.Options { WorkingDirectory = workingDirectory }, args);
        return (result.Exit, result.Stdout, result.Stderr);
    }

    /// <summary>
    /// Starts the built darknet.dll as a real process (the caller reads its redirected output and waits). Its process id is
    /// darknet's own: <c>dotnet exec</c> runs the app in the host process.
    /// </summary>
    public static Process Start(string? workingDirectory, params string[] args) => Start(workingDirectory, false, args);

    /// <param name="defaultSignals">
    /// Start it through <c>env --default-signal</c> (coreutils ≥ 8.31): a process started from a non-interactive shell's
    /// background job inherits SIGINT ignored, and .NET (like any shell) leaves an inherited SIG_IGN for SIGINT alone.
    /// </param>
    public static Process Start(string? workingDirectory, bool defaultSignals, params string[] args) =>
        DarknetProcess.Start(new ProcessRun.Options
        {
            WorkingDirectory = workingDirectory,
            Prefix = defaultSignals ? new[] { "/usr/bin/env", "--default-signal" } : Array.Empty<string>(),
        }, args);
}
