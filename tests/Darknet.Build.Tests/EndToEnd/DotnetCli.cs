using System.Diagnostics;
using System.Text;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>The outcome of one real `dotnet` process: exit code, merged output, wall time.</summary>
public sealed record DotnetResult(string Arguments, int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"dotnet {Arguments} -> exit {ExitCode} in {Elapsed.TotalSeconds:0.0}s\n{Output}";
}

/// <summary>Runs `dotnet` with no build servers or node reuse (nothing outlives a test), no telemetry, no logo.</summary>
public static class DotnetCli
{
    public static DotnetResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Run(workingDirectory, environment, arguments, whileRunning: null);

    /// <summary><paramref name="whileRunning"/> gets the process id, on another thread, once the process has started.</summary>
    public static DotnetResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] arguments, Action<int>? whileRunning)
    {
        // A test run started in the background by a non-interactive shell (as CI may be) ignores SIGINT, and children
        // inherit that: `env --default-signal=INT` (coreutils >= 8.31; it execs, so the process id stays the build's) lets a
        // test's Ctrl+C reach MSBuild as a user's would.
        var resetSignals = OperatingSystem.IsLinux() && File.Exists("/usr/bin/env");
        var psi = new ProcessStartInfo(resetSignals ? "/usr/bin/env" : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (resetSignals)
        {
            psi.ArgumentList.Add("--default-signal=INT");
            psi.ArgumentList.Add("dotnet");
        }
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment["UseSharedCompilation"] = "false";
        // A test run inside `dotnet test` inherits MSBuild variables that would leak into the child build.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
            psi.Environment.Remove(name);
        foreach (var (name, value) in environment) psi.Environment[name] = value;

        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var watcher = whileRunning == null ? Task.CompletedTask : Task.Run(() => whileRunning(process.Id));
        if (!process.WaitForExit((int)TimeSpan.FromMinutes(6).TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 6 minutes\n{output}");
        }
        process.WaitForExit();
        watcher.Wait(TimeSpan.FromSeconds(30));
        lock (output) return new DotnetResult(string.Join(' ', arguments), process.ExitCode, output.ToString(), watch.Elapsed);
    }
}
