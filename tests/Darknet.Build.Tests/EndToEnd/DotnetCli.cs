using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>The outcome of one real `dotnet` process: exit code, merged output, wall time.</summary>
public sealed record DotnetResult(string Arguments, int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"dotnet {Arguments} -> exit {ExitCode} in {Elapsed.TotalSeconds:0.0}s\n{Output}";
}

/// <summary>
/// <see cref="ProcessRun"/> configured for `dotnet`: no build servers or node reuse (nothing outlives a test), no telemetry,
/// no logo, and none of the MSBuild variables a test run inside `dotnet test` inherits.
/// </summary>
public static class DotnetCli
{
    public static DotnetResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Run(workingDirectory, environment, arguments, whileRunning: null);

    /// <summary><paramref name="whileRunning"/> gets the process id, on another thread, once the process has started.</summary>
    public static DotnetResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] arguments, Action<int>? whileRunning) =>
        Run(workingDirectory, environment, arguments, whileRunning, prefix: null, TimeSpan.FromMinutes(6));

    /// <param name="prefix">
    /// What `dotnet` runs under (e.g. <c>unshare -p --fork</c>); without one, `env --default-signal=INT`: a test run started
    /// in the background by a non-interactive shell (as CI may be) ignores SIGINT, and children inherit that; env
    /// (coreutils >= 8.31; it execs, so the process id stays the build's) lets a test's Ctrl+C reach MSBuild as a user's would.
    /// </param>
    public static DotnetResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] arguments, Action<int>? whileRunning,
        IReadOnlyList<string>? prefix, TimeSpan timeout)
    {
        var resetSignals = OperatingSystem.IsLinux() && File.Exists("/usr/bin/env");
        var result = ProcessRun.Run(new ProcessRun.Options
        {
            WorkingDirectory = workingDirectory,
            Environment = Environment(environment),
            Prefix = prefix ?? (resetSignals ? new[] { "/usr/bin/env", "--default-signal=INT" } : Array.Empty<string>()),
            Timeout = timeout,
            WhileRunning = whileRunning,
            WhileRunningWait = prefix == null ? TimeSpan.FromSeconds(30) : timeout,
        }, "dotnet", arguments);
        return new DotnetResult(string.Join(' ', arguments), result.Exit, result.Output, result.Elapsed);
    }

    /// <summary>The variables a `dotnet` child gets: <paramref name="extra"/> over the ones that keep it self-contained.</summary>
    public static Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string> extra)
    {
        var variables = new Dictionary<string, string?>
        {
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["UseSharedCompilation"] = "false",
        };
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
            variables[name] = null;
        foreach (var (name, value) in extra) variables[name] = value;
        return variables;
    }
}
