using System.Text.RegularExpressions;
using Darknet.Testing;

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
        var terminal = new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["COLUMNS"] = "160" };
        foreach (var (name, value) in environment) terminal[name] = value;
        var variables = DotnetCli.Environment(terminal);
        foreach (var name in new[] { "CI", "TF_BUILD", "GITHUB_ACTIONS" })
            if (!environment.ContainsKey(name)) variables[name] = null;
        var result = ProcessRun.Run(new ProcessRun.Options
        {
            WorkingDirectory = workingDirectory,
            Environment = variables,
            Input = "",
            Timeout = TimeSpan.FromMinutes(6),
        }, "/usr/bin/script", "-qec", command, "/dev/null");
        return new DotnetResult(string.Join(' ', arguments), result.Exit, Screen(result.Stdout + result.Stderr), result.Elapsed);
    }

    /// <summary>The text without escape sequences (colours, cursor moves, the taskbar progress OSC) and carriage returns.</summary>
    public static string Screen(string raw) => Escapes().Replace(raw, "").Replace("\r", "");

    [GeneratedRegex(@"\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[=>]")]
    private static partial Regex Escapes();

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''") + "'";
}
