using Darknet.Testing;
using System.Diagnostics;
using System.Text;
using Darknet.Build.Tests.EndToEnd;
using Xunit;

namespace Darknet.Build.Tests.Windows;

[CollectionDefinition(Name)]
public sealed class WineCollection : ICollectionFixture<WineFixture>
{
    public const string Name = "Wine";
}

/// <summary>
/// The Windows side of the tests, as far as this machine can run it: Debian's wine64 (test.sh installs it) with one
/// private prefix per test run, the CLI published once for win-x64 (self-contained .NET 10, JIT: native AOT for Windows
/// needs the Windows linker), the net8.0 task assembly, and WinHost/ (an MSBuild-like task host and a file holder).
/// Without wine64 the tests skip; under CI=true they fail instead.
/// </summary>
public sealed class WineFixture : IDisposable
{
    public const string Wine = "/usr/lib/wine/wine64";
    private const string WineServer = "/usr/lib/wine/wineserver64";
    private readonly TempDirectory _root = new("darknet-wine");

    public WineFixture()
    {
        if (!File.Exists(Wine))
        {
            const string why = "wine64 is not installed (/usr/lib/wine/wine64; ./test.sh installs Debian's wine64)";
            if (Environment.GetEnvironmentVariable("CI") == "true")
                throw new InvalidOperationException(why + "; under CI=true the Windows tests must run");
            SkipReason = why;
            return;
        }
        var watch = Stopwatch.StartNew();
        Prefix = _root.Combine("prefix");
        try
        {
            (Cli, Host, TasksDll) = Prepare();
        }
        catch
        {
            Dispose();
            throw;
        }
        SetupTime = watch.Elapsed;
    }

    private (string Cli, string Host, string TasksDll) Prepare()
    {
        // The prefix boots while the programs publish (its first boot takes about 20 s).
        var boot = Task.Run(BootPrefix);

        var source = _root.Combine("source");
        PackedPackage.CopySources(source);
        var host = _root.Combine("WinHost");
        PackedPackage.CopyTree(Path.Combine(PackedPackage.RepositoryRoot(), "tests", "Darknet.Build.Tests", "Windows", "WinHost"), host);
        Publish(source, Path.Combine("src", "Darknet.Cli"), _root.Combine("cli"), "-f", "net10.0", "-p:PublishAot=false");
        Publish(host, ".", _root.Combine("host"));
        var tasks = DotnetCli.Run(source, new Dictionary<string, string>(), "build", Path.Combine("src", "Darknet.Build"), "-f", "net8.0", "-c", "Release", "-nodeReuse:false", "-v:m");
        if (tasks.ExitCode != 0) throw new InvalidOperationException("building the net8.0 tasks failed:\n" + tasks);
        boot.GetAwaiter().GetResult();
        return (_root.Combine("cli", "darknet.exe"), _root.Combine("host", "WinHost.exe"),
            Path.Combine(source, "src", "Darknet.Build", "bin", "Release", "net8.0", "Darknet.Build.dll"));
    }

    /// <summary>Why the tests skip (no wine64 outside CI), or null.</summary>
    public string? SkipReason { get; }

    public string Prefix { get; } = "";
    public string Cli { get; } = "";
    public string Host { get; } = "";
    public string TasksDll { get; } = "";
    public TimeSpan SetupTime { get; }
    public WeightsServer Server { get; } = new();

    private int _directories;

    public string NewDirectory(string name)
    {
        var path = _root.Combine("work", name + "-" + Interlocked.Increment(ref _directories));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The Windows spelling of a Linux path: Wine's Z: drive is the Linux root.</summary>
    public static string WindowsPath(string linuxPath) => "Z:" + linuxPath.Replace('/', '\\');

    /// <summary>The Linux path of a path on the prefix's C: drive.</summary>
    public string LinuxPathOfDriveC(string windowsPath)
    {
        Assert.StartsWith(@"C:\", windowsPath, StringComparison.OrdinalIgnoreCase);
        return Path.Combine(Prefix, "drive_c", windowsPath.Substring(3).Replace('\\', '/'));
    }

    /// <summary>A Windows program under Wine; <paramref name="environment"/> values of null remove a variable.</summary>
    public ProcessRun.Result Run(string exe, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var variables = WineEnvironment();
        variables["DARKNET_CACHE_DIR"] = null;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) variables[name] = value;
        // ProcessRun stops reading once the process exits: a Wine service it starts (winedevice.exe) inherits its pipes and outlives it.
        var result = ProcessRun.Run(new ProcessRun.Options { Environment = variables }, Wine, new[] { exe }.Concat(args).ToArray());
        // Windows programs end lines with CRLF.
        return result with { Stdout = result.Stdout.Replace("\r\n", "\n"), Stderr = result.Stderr.Replace("\r\n", "\n"), Output = result.Output.Replace("\r\n", "\n") };
    }

    public ProcessRun.Result RunCli(params string[] args) => Run(Cli, null, args);

    /// <summary>WinHost hold: a Wine process that keeps <paramref name="file"/> open (FileShare None, Read or ReadDelete) until disposed.</summary>
    public HeldFile Hold(string file, string share) => new(this, file, share);

    public Dictionary<string, string?> WineEnvironment() => new()
    {
        ["WINEPREFIX"] = Prefix,
        ["WINEDEBUG"] = "-all",
        ["WINESERVER"] = WineServer,
        ["DISPLAY"] = null,
        ["WAYLAND_DISPLAY"] = null,
    };

    private void BootPrefix()
    {
        // No wine-mono or Gecko installers: a .NET program brings its own runtime, and nothing here shows HTML.
        var environment = WineEnvironment();
        environment["WINEDLLOVERRIDES"] = "mscoree,mshtml=";
        var boot = ProcessRun.Run(new ProcessRun.Options { Environment = environment }, Wine, "wineboot", "--init");
        if (boot.Exit != 0) throw new InvalidOperationException("wineboot --init failed: " + boot);
        // One wineserver for the rest of the run, so each program does not start the prefix's services again. It stays
        // in the background: its output goes nowhere, or it would hold this process's pipes open.
        // Only a speed-up: when the boot's server is still going down it refuses (exit 2), and each program starts one.
        ProcessRun.Run("/bin/sh", WineEnvironment(), "-c", "exec \"$0\" -p </dev/null >/dev/null 2>&1", WineServer);
    }

    private static void Publish(string directory, string project, string output, params string[] extra)
    {
        var arguments = new[] { "publish", project, "-r", "win-x64", "--self-contained", "-c", "Release", "-o", output, "-nodeReuse:false", "-v:m" }.Concat(extra).ToArray();
        var result = DotnetCli.Run(directory, new Dictionary<string, string>(), arguments);
        if (result.ExitCode != 0) throw new InvalidOperationException("publishing " + project + " for win-x64 failed:\n" + result);
    }

    public void Dispose()
    {
        Server.Dispose();
        if (SkipReason == null) ProcessRun.Run(WineServer, WineEnvironment(), "-k");
        _root.Dispose();
    }
}

/// <summary>A file kept open by a Wine process (WinHost hold) until Dispose.</summary>
public sealed class HeldFile : IDisposable
{
    private readonly Process _process;
    private readonly string _release;
    private readonly StringBuilder _output = new();

    public HeldFile(WineFixture wine, string file, string share)
    {
        _release = Path.Combine(Path.GetTempPath(), "darknet-wine-release-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo(WineFixture.Wine) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { wine.Host, "hold", WineFixture.WindowsPath(file), share, WineFixture.WindowsPath(_release) }) psi.ArgumentList.Add(a);
        foreach (var (name, value) in wine.WineEnvironment())
        {
            if (value == null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        }
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        var first = _process.StandardOutput.ReadLineAsync();
        if (!first.Wait(TimeSpan.FromMinutes(1)) || first.Result != "held")
            throw new InvalidOperationException($"WinHost hold did not open {file}: {first.Status} {(first.IsCompleted ? first.Result : "")} {_output}");
    }

    public void Dispose()
    {
        File.WriteAllText(_release, "");
        if (!_process.WaitForExit(TimeSpan.FromMinutes(1))) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        File.Delete(_release);
    }
}
