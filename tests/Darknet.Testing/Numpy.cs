using System.Diagnostics;
using Xunit;

namespace Darknet.Testing;

/// <summary>
/// Runs Debian's /usr/bin/python3 with numpy: the real client that must load what the project writes.
/// Outside CI a machine without numpy skips these tests; with CI=true they fail instead, since ./test.sh installs numpy.
/// </summary>
public static class Numpy
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() => Run("import numpy", TimeSpan.FromSeconds(60)).ExitCode == 0);

    public static void Require()
    {
        if (Available.Value) return;
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (ci) throw new InvalidOperationException($"{Python} cannot import numpy, and under CI the numpy cross-checks must run (./test.sh installs python3-numpy)");
        Skip.If(true, $"{Python} with numpy is not installed (apt-get install python3-numpy)");
    }

    /// <summary>Whether /usr/bin/python3 can import <paramref name="module"/> (e.g. "cv2").</summary>
    public static bool CanImport(string module) => Run("import " + module, TimeSpan.FromSeconds(60)).ExitCode == 0;

    /// <summary>Runs a Python script; fails the test with its stderr when it exits non-zero. Returns stdout.</summary>
    public static string RunScript(string script, params string[] args)
    {
        Require();
        var result = Run(script, TimeSpan.FromMinutes(5), args);
        if (result.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"python exited {result.ExitCode}\n--- stderr ---\n{result.Stderr}\n--- stdout ---\n{result.Stdout}");
        return result.Stdout;
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string script, TimeSpan timeout, params string[] args)
    {
        if (!File.Exists(Python)) return (-1, "", Python + " not found");
        try
        {
            var result = ProcessRun.Run(new ProcessRun.Options { Input = script, Timeout = timeout }, Python, new[] { "-" }.Concat(args).ToArray());
            return (result.Exit, result.Stdout, result.Stderr);
        }
        catch (TimeoutException e)
        {
            return (-1, "", "timed out: " + e.Message);
        }
    }
}
