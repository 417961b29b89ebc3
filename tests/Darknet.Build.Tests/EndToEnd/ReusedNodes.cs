using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// `dotnet build`s that leave their MSBuild nodes (or the MSBuild server) running for the next build, as a developer's
/// machine does by default. Every build of one instance carries a handshake salt of its own
/// (MSBUILDNODEHANDSHAKESALT), so it reuses only the nodes this instance started, never another developer's, and the
/// salt in a node's environment is how <see cref="Dispose"/> finds those nodes to end them, by process id.
/// </summary>
public sealed class ReusedNodes : IDisposable
{
    private const string SaltVariable = "MSBUILDNODEHANDSHAKESALT";

    private readonly Dictionary<string, string> _settings;

    /// <param name="settings">What makes the builds leave nodes behind (node reuse, no in-proc node, the server).</param>
    public ReusedNodes(IReadOnlyDictionary<string, string> settings)
    {
        Salt = "darknet-reused-" + Guid.NewGuid().ToString("N");
        _settings = new Dictionary<string, string>(settings) { [SaltVariable] = Salt };
    }

    public string Salt { get; }

    /// <summary>
    /// Runs dotnet and returns once it has exited: a node it left running holds the output pipes open, so this waits for
    /// the process, not for the end of its output (which would never come).
    /// </summary>
    public DotnetResult Run(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        // What `dotnet test` and its MSBuild left in this process's environment would steer the child's MSBuild (off the server).
        foreach (var name in psi.Environment.Keys.Where(n => n.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) ||
                                                             n.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) ||
                                                             n.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(name);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["UseSharedCompilation"] = "false";
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "MSBUILDDISABLENODEREUSE",
                                     "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy" })
            psi.Environment.Remove(name);
        foreach (var (name, value) in _settings) psi.Environment[name] = value;
        foreach (var (name, value) in environment)
        {
            if (value == null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        }

        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // The timed wait returns at the process's exit; the untimed one would also wait for the pipes' end of file.
        if (!process.WaitForExit((int)TimeSpan.FromMinutes(6).TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 6 minutes\n{output}");
        }
        // The lines the process wrote just before it exited are still in the pipe.
        Thread.Sleep(500);
        lock (output) return new DotnetResult(string.Join(' ', arguments), process.ExitCode, output.ToString(), watch.Elapsed);
    }

    /// <summary>The live processes started with this instance's salt whose command line has <paramref name="commandLinePart"/>.</summary>
    public IReadOnlyList<int> Processes(string commandLinePart = "/nodemode:")
    {
        var found = new List<int>();
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (!commandLine.Contains(commandLinePart, StringComparison.Ordinal)) continue;
                var environment = File.ReadAllText(Path.Combine(directory, "environ")).Split('\0');
                if (environment.Contains(SaltVariable + "=" + Salt)) found.Add(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>Ends the nodes and servers this instance's builds started (only those: each by its id).</summary>
    public void Dispose()
    {
        foreach (var pid in Processes())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(10_000);
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
