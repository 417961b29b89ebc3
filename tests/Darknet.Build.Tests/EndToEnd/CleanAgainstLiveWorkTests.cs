using System.Diagnostics;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights.IO;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19, Must 3: `darknet cache clean` (plain, `--older-than 0`, `--all`) run while real processes work on the cache:
/// a `darknet fetch` whose download the loopback server stalls mid-body, and a `dotnet build` frozen (SIGSTOP) while it
/// writes a conversion's temp. Clean skips the busy entry ("busy"), leaves its lock (the same inode), partial and temp,
/// and the work then completes with the right bytes.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class CleanAgainstLiveWorkTests
{
    private static readonly string[][] Cleans = { new[] { "cache", "clean" }, new[] { "cache", "clean", "--older-than", "0" }, new[] { "cache", "clean", "--all" } };

    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public CleanAgainstLiveWorkTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public async Task CleanDuringADownloadKeepsItsLockAndPartialAndTheDownloadCompletes()
    {
        var sha = _fixture.Tiny.Sha256;
        var mirror = _fixture.ServeTiny("live-download");
        // Longer than the three cleans take, shorter than the downloader's 60 s stall timeout: one request serves it all.
        _fixture.Server.StallAfter("live-download/" + _fixture.Tiny.FileName, 1_000_000, TimeSpan.FromSeconds(40));
        var cache = _fixture.NewDirectory("live-download-cache");
        var entry = Path.Combine(cache, "weights", "sha256-" + sha, _fixture.Tiny.FileName);
        var partial = entry + ".dkn-partial";

        using var fetch = StartCli("fetch", "yolov3-tiny", "--cache", cache, "--mirror", mirror, "--sha256", sha);
        var stdout = fetch.StandardOutput.ReadToEndAsync();
        var stderr = fetch.StandardError.ReadToEndAsync();
        // The partial is written in 64 KiB blocks: it holds less than the 1,000,000 bytes sent before the stall.
        WaitFor(() => File.Exists(partial) && new FileInfo(partial).Length >= 500_000, fetch, "the download to reach the stall");
        var lockIdentity = FileIdentity.Of(entry + ".lock");

        foreach (var clean in Cleans)
        {
            var result = Cli(clean.Concat(new[] { "--cache", cache }).ToArray());
            Assert.True(result.Exit == 0, result.ToString());
            Assert.Contains("busy     " + Path.GetRelativePath(cache, entry) + " (a build is using it; kept)", result.Stdout);
            Assert.Contains("; 1 in use, kept", result.Stdout);
            Assert.True(File.Exists(partial), "the partial of a running download stays: " + string.Join(' ', clean));
            Assert.True(File.Exists(partial + ".json"), "its resume metadata stays: " + string.Join(' ', clean));
            Assert.Equal(lockIdentity, FileIdentity.Of(entry + ".lock"));
        }
        Assert.False(fetch.HasExited, "the download ended before the cleans were over; the test proved nothing");

        Assert.True(fetch.WaitForExit(TimeSpan.FromMinutes(3)), "darknet fetch did not finish");
        var (output, errors) = (await stdout, await stderr);
        Assert.True(fetch.ExitCode == 0, $"exit {fetch.ExitCode}\n{output}\n{errors}");
        Assert.Equal(_fixture.Tiny.Bytes, File.ReadAllBytes(entry));
        Assert.Equal(1, _fixture.Server.RequestCount("live-download/" + _fixture.Tiny.FileName));
        Assert.Equal(lockIdentity, FileIdentity.Of(entry + ".lock"));
    }

    [SkippableFact]
    public void CleanDuringAConversionKeepsItsLockAndTempAndTheBuildSucceeds()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "freezes the build with SIGSTOP and finds its open temp in /proc");
        var sha = _fixture.Tiny.Sha256;
        var mirror = _fixture.ServeTiny("live-convert");
        // A conversion can end between its temp's first bytes and the SIGSTOP: then nothing can be said, and it runs again.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var cache = _fixture.NewDirectory("live-convert-cache");
            var app = _fixture.CreateProject("LiveConvertApp", cache,
                $"""<DarknetModel Include="yolov3-tiny" Sha256="{sha}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
            var converted = Path.Combine(cache, "converted");
            string? temp = null;
            var cleaned = new List<ProcessRun.Result>();
            var frozen = false;
            var tempKept = false;
            var build = TestProject.Run(_fixture, app.Directory, cache, new[] { "build", app.ProjectPath }, whileRunning: buildPid =>
            {
                var live = LiveWriter.WaitForOpenFile(() => Directory.Exists(converted)
                    ? Directory.GetFiles(converted, "*" + TempFiles.Suffix, SearchOption.AllDirectories).FirstOrDefault()
                    : null, buildPid, TimeSpan.FromMinutes(4));
                if (live == null) return;
                temp = live.Value.Path;
                using (LiveWriter.Freeze(live.Value.Writer))
                {
                    // Frozen with the temp open: the conversion is live for as long as the cleans take.
                    if (!File.Exists(temp) || LiveWriter.Find(temp, live.Value.Writer) != live.Value.Writer) return;
                    frozen = true;
                    foreach (var clean in Cleans) cleaned.Add(Cli(clean.Concat(new[] { "--cache", cache }).ToArray()));
                    tempKept = File.Exists(temp);
                }
            });
            _output.WriteLine(build.ToString());
            if (!frozen)
            {
                Succeeded(build);
                _output.WriteLine($"attempt {attempt}: the conversion ended before it could be frozen");
                continue;
            }

            var entry = temp![..temp!.LastIndexOf('/')];
            var lockFile = Path.Combine(entry, "yolov3-tiny.npy.lock");
            foreach (var result in cleaned)
            {
                Assert.True(result.Exit == 0, result.ToString());
                Assert.Contains("busy     " + Path.GetRelativePath(cache, Path.Combine(entry, "yolov3-tiny.npy")) + " (a build is using it; kept)", result.Stdout);
            }
            Assert.True(tempKept, "the conversion's temp is still there after the three cleans");
            Succeeded(build);
            Assert.True(File.Exists(lockFile));
            var output = Path.Combine(app.BinDirectory, "yolov3-tiny.npy");
            Assert.Equal(File.ReadAllBytes(Path.Combine(entry, "yolov3-tiny.npy")), File.ReadAllBytes(output));
            Assert.Equal(ReferenceConversion(), File.ReadAllBytes(output));
            return;
        }
        throw new Xunit.Sdk.XunitException("three conversions ended before they could be frozen");
    }

    /// <summary>The same weights converted by `darknet convert` (no cache, no build): the bytes the build must produce.</summary>
    private byte[] ReferenceConversion()
    {
        var dir = _fixture.NewDirectory("live-convert-reference");
        File.WriteAllBytes(Path.Combine(dir, _fixture.Tiny.FileName), _fixture.Tiny.Bytes);
        var convert = Cli("convert", "--model", "yolov3-tiny", "--weights_dir", dir, "--save_dir", dir);
        Assert.True(convert.Exit == 0, convert.ToString());
        return File.ReadAllBytes(Path.Combine(dir, "yolov3-tiny.npy"));
    }

    private static void WaitFor(Func<bool> condition, Process process, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!condition())
        {
            if (process.HasExited) throw new Xunit.Sdk.XunitException($"the process ended (exit {process.ExitCode}) before {what}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("waited 2 minutes for " + what);
            Thread.Sleep(20);
        }
    }

    private static readonly ProcessRun.Options NoCacheVariable = new() { Environment = new Dictionary<string, string?> { ["DARKNET_CACHE_DIR"] = null } };

    private static Process StartCli(params string[] args) => DarknetProcess.Start(NoCacheVariable, args);

    private ProcessRun.Result Cli(params string[] args)
    {
        var result = DarknetProcess.Run(NoCacheVariable, args);
        _output.WriteLine("$ darknet " + string.Join(' ', args) + "\n" + result + "\n");
        return result;
    }
}
