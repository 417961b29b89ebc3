using System.Diagnostics;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Cli;

/// <summary>
/// Files the user may not read or folders they may not write are coded errors naming the file (not a temp, not a
/// .NET trace). root reads and writes everything, so the CLI runs as <c>nobody</c> through <c>setpriv</c>; skipped
/// where the tests do not run as root.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class PermissionTests
{
    private static (int Exit, string Stderr) RunAsNobody(params string[] args)
    {
        Posix.RequireLinux();
        Skip.IfNot(Environment.UserName == "root" && File.Exists("/usr/bin/setpriv"), "needs root and setpriv to run the CLI as another user");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet)) dotnet = "/usr/bin/dotnet";
        var options = new ProcessRun.Options
        {
            Prefix = new[] { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp" },
            Timeout = TimeSpan.FromMinutes(2),
        };
        var result = ProcessRun.Run(options, dotnet, new[] { "exec", Path.Combine(AppContext.BaseDirectory, "darknet.dll") }.Concat(args).ToArray());
        var stderr = result.Stderr;
        Skip.If(stderr.Contains("cannot execute", StringComparison.Ordinal) || stderr.Contains("Permission denied", StringComparison.Ordinal) && !stderr.StartsWith("darknet:", StringComparison.Ordinal),
            "nobody cannot run the test's dotnet or darknet.dll here: " + stderr);
        return (result.Exit, stderr);
    }

    /// <summary>A temp folder made by root (0755) that nobody may read files in (0600) or write to.</summary>
    private static (TempDirectory Dir, string Cfg, string Weights) Files()
    {
        var dir = new TempDirectory();
        File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                       UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var cfg = dir.File("two.cfg");
        File.WriteAllText(cfg, TestCfgs.TwoConvs);
        var weights = dir.File("two.weights");
        SyntheticWeights.WriteFile(weights, 67);
        return (dir, cfg, weights);
    }

    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [SkippableFact]
    public void AFolderTheUserCannotWriteNamesTheOutputNotItsTemp()
    {
        var (dir, cfg, weights) = Files();
        using var _ = dir;
        var output = dir.File("two.npy");

        var (exit, stderr) = RunAsNobody("convert", "--cfg", cfg, "--weights", weights, "--out", output);

        Assert.Equal(1, exit);
        Assert.Equal($"darknet: DKN2008: cannot write {output}: permission denied (files cannot be created in {dir.Path}, or the file is read-only)\n", stderr);
        Assert.Equal(new[] { "two.cfg", "two.weights" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [SkippableFact]
    public void UnreadableWeightsAndCfgAreCodedErrorsNamingThem()
    {
        var (dir, cfg, weights) = Files();
        using var _ = dir;
        using var writable = new TempDirectory();
        File.SetUnixFileMode(writable.Path, (UnixFileMode)0x1FF); // 0777: only the inputs are in the way
        File.SetUnixFileMode(weights, OwnerOnly);

        var noWeights = RunAsNobody("convert", "--cfg", cfg, "--weights", weights, "--out", writable.File("a.npy"));
        File.SetUnixFileMode(weights, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(cfg, OwnerOnly);
        var noCfg = RunAsNobody("convert", "--cfg", cfg, "--weights", weights, "--out", writable.File("b.npy"));

        Assert.Equal((1, 1), (noWeights.Exit, noCfg.Exit));
        Assert.Equal($"darknet: DKN2008: cannot read {weights}: permission denied\n", noWeights.Stderr);
        Assert.Equal($"darknet: DKN1006: cannot read cfg file {cfg}: permission denied\n", noCfg.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(writable.Path));
    }
}
