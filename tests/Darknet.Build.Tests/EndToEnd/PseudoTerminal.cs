using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Runs `dotnet` as a user at a terminal does: under a pseudo-terminal (util-linux `script`), so .NET's terminal logger
/// draws its live status lines. <see cref="DotnetResult.Output"/> is the screen text with the ANSI escapes removed.
/// </summary>
public static partial class PseudoTerminal
{
    public static bool Available => File.Exists("/usr/bin/script");

    public static DotnetResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var command = "dotnet " + string.Join(' ', arguments.Select(Quote));
        var psi = new ProcessStartInfo("/usr/bin/script")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-qec", command, "/dev/null" }) psi.ArgumentList.Add(argument);
        psi.Environment["TERM"] = "xterm-256color";
        psi.Environment["COLUMNS"] = "160";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment["UseSharedCompilation"] = "false";
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "CI", "TF_BUILD", "GITHUB_ACTIONS" })
            psi.Environment.Remove(name);
        foreach (var (name, value) in environment) psi.Environment[name] = value;

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit((int)TimeSpan.FromMinutes(6).TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(command + " did not finish in 6 minutes");
        }
        process.WaitForExit();
        return new DotnetResult(string.Join(' ', arguments), process.ExitCode, Screen(stdout.Result + stderr.Result), watch.Elapsed);
    }

    /// <summary>The text without escape sequences (colours, cursor moves, the taskbar progress OSC) and carriage returns.</summary>
    public static string Screen(string raw) => Escapes().Replace(raw, "").Replace("\r", "");

    [GeneratedRegex(@"\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[=>]")]
    private static partial Regex Escapes();

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''") + "'";
}
