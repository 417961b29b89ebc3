using System.Diagnostics;
using Darknet.Weights.IO;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Cli;

/// <summary>
/// No litter from an interrupted <c>darknet convert</c> (issue 7, Must 9), with real processes on a synthetic
/// yolov3-sized weights file (248,007,048 bytes, made once for the class) so a conversion lasts long enough to be
/// interrupted while its hidden temp is being written.
/// </summary>
public class LitterTests : IClassFixture<LitterTests.Yolov3Weights>
{
    private readonly Yolov3Weights _weights;

    public LitterTests(Yolov3Weights weights) => _weights = weights;

    public sealed class Yolov3Weights : IDisposable
    {
        public Yolov3Weights()
        {
            var model = ModelCatalog.Find("yolov3")!;
            SyntheticWeights.WriteFile(Path.Combine(Dir.Path, model.WeightsFileName), model.Layout.FloatCount());
        }

        public TempDirectory Dir { get; } = new();

        public void Dispose() => Dir.Dispose();
    }

    private Process StartYolov3(string saveDir, bool defaultSignals = false) =>
        CliRunner.Start(null, defaultSignals, "convert", "--model", "yolov3", "--weights_dir", _weights.Dir.Path, "--save_dir", saveDir);

    /// <summary>Polls until the conversion's temp holds data (it is mid-write); null when the process ended first.</summary>
    private static string? WaitForTemp(Process process, string folder)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var path in Directory.GetFiles(folder))
                if (TempFiles.IsTemp(Path.GetFileName(path)) && new FileInfo(path).Length > 0) return path;
            if (process.HasExited) return null;
            Thread.Sleep(2);
        }
        throw new TimeoutException("no temp file appeared in 2 minutes");
    }

    [SkippableFact]
    public void AKill9LeavesTheTempAndTheNextConvertIntoThatFolderRemovesIt()
    {
        Skip.If(OperatingSystem.IsWindows(), "kill -9 is a Unix signal");
        using var save = new TempDirectory();
        string temp;
        int killed;
        using (var process = StartYolov3(save.Path))
        {
            killed = process.Id;
            var stderr = process.StandardError.ReadToEndAsync();
            temp = WaitForTemp(process, save.Path) ?? throw new Xunit.Sdk.XunitException($"the conversion ended before it could be killed: {stderr.Result}");
            process.Kill(); // SIGKILL: no handler runs
            process.WaitForExit();
            Assert.Equal(128 + 9, process.ExitCode);
        }
        Assert.True(File.Exists(temp), "a kill -9 cannot clean up: the temp is still there");
        Assert.Equal(killed, TempFiles.OwnerOf(Path.GetFileName(temp)));
        Assert.False(File.Exists(Path.Combine(save.Path, "yolov3.npy")));

        // Another conversion into the same folder (a small one, another file) removes what the dead run left.
        var cfg = Path.Combine(save.Path, "two.cfg");
        File.WriteAllText(cfg, TestCfgs.TwoConvs);
        var weights = Path.Combine(_weights.Dir.Path, "two.weights");
        SyntheticWeights.WriteFile(weights, 67);
        var next = CliRunner.RunProcess("convert", "--cfg", cfg, "--weights", weights, "--out", Path.Combine(save.Path, "two.npy"));

        Assert.True(next.Exit == 0, next.Stderr);
        Assert.False(File.Exists(temp), "the next convert into that folder removes the orphan");
        Assert.Equal(new[] { "two.cfg", "two.npy" }, Directory.GetFiles(save.Path).Select(Path.GetFileName).Order());
    }

    [SkippableFact]
    public void CtrlCDeletesTheTempAtOnceAndExitsWithItsCode()
    {
        Skip.If(OperatingSystem.IsWindows(), "sends SIGINT with kill(2)");
        Skip.IfNot(Posix.EnvResetsSignals(), "needs env --default-signal (coreutils >= 8.31) so the child does not inherit SIGINT ignored");
        using var save = new TempDirectory();
        // A conversion can finish between the temp's first bytes and the signal on a fast machine: then nothing can be
        // said, and it runs again (the assertions below are never relaxed).
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            foreach (var path in Directory.GetFiles(save.Path)) File.Delete(path);
            using var process = StartYolov3(save.Path, defaultSignals: true);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var temp = WaitForTemp(process, save.Path);
            if (temp == null || process.HasExited) { process.WaitForExit(); continue; }
            Posix.Signal(process.Id, Posix.SIGINT);
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "darknet did not stop after SIGINT");
            if (process.ExitCode == 0 && stdout.Result.Contains("converted 75 layers")) continue; // finished first

            Assert.Equal(130, process.ExitCode);
            Assert.StartsWith("darknet: DKN2013: interrupted by Ctrl+C (SIGINT): nothing was written to ", stderr.Result);
            Assert.DoesNotContain("   at ", stderr.Result);
            Assert.False(File.Exists(temp));
            Assert.Empty(Directory.GetFileSystemEntries(save.Path));
            return;
        }
        throw new Xunit.Sdk.XunitException("three conversions finished before SIGINT reached them");
    }

    /// <summary>
    /// Intercepting SIGTERM must not make a blocked darknet unkillable: with a cfg that is a FIFO nobody writes, the
    /// process sits in open(2) and never sees the cancellation, so it ends on its own after the grace, with its code.
    /// </summary>
    [SkippableFact]
    public void ASignalEndsEvenWorkThatCannotSeeTheCancellation()
    {
        Posix.RequireLinux();
        using var dir = new TempDirectory();
        var fifo = dir.File("blocked.cfg");
        Posix.MakeFifo(fifo);
        using var process = CliRunner.Start(null, "convert", "--cfg", fifo, "--weights", Path.Combine(_weights.Dir.Path, "yolov3.weights"), "--out", dir.File("o.npy"));
        var stderr = process.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (ReadWchan(process.Id) != "wait_for_partner" && DateTime.UtcNow < deadline && !process.HasExited) Thread.Sleep(20);
        Assert.False(process.HasExited, stderr.IsCompleted ? stderr.Result : "exited early");

        Posix.Signal(process.Id, Posix.SIGTERM);

        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "darknet blocked on a FIFO did not end after SIGTERM");
        Assert.Equal(128 + 15, process.ExitCode);
        Assert.StartsWith("darknet: DKN2013: interrupted, and the conversion did not stop within 5 s; nothing was written to ", stderr.Result);
        Assert.Equal(new[] { "blocked.cfg" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    private static string ReadWchan(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/wchan").Trim(); }
        catch (IOException) { return ""; }
    }
}
