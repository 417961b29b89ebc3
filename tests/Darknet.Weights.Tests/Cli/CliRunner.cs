using System.Diagnostics;
using Darknet.Cli;

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
        using var process = Start(workingDirectory, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("darknet did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
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
    public static Process Start(string? workingDirectory, bool defaultSignals, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "darknet.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("the CLI is not beside the test assembly", dll);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet)) dotnet = "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        if (defaultSignals)
        {
            psi.FileName = "/usr/bin/env";
            psi.ArgumentList.Add("--default-signal");
            psi.ArgumentList.Add(dotnet);
        }
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }
}
