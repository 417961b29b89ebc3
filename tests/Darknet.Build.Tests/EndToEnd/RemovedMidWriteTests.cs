using System.Diagnostics;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights.IO;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19, Must 6, with real processes: what a `darknet cache clean` that ignored locks did (simulated: the test deletes
/// the files) to a build frozen mid-conversion and to a `darknet fetch` stalled mid-download. The write starts once more
/// and succeeds. Before: DKN4012 "Could not find file '….dkn-tmp' … Set DARKNET_CACHE_DIR or DarknetCacheDir to a
/// writable directory" (conversion) and "Could not find a part of the path '….dkn-partial'" (download).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RemovedMidWriteTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public RemovedMidWriteTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [SkippableFact]
    public void ATempRemovedMidConversionIsWrittenAgainAndTheBuildSucceeds()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "freezes the build with SIGSTOP and finds its open temp in /proc");
        var sha = _fixture.Tiny.Sha256;
        var mirror = _fixture.ServeTiny("removed-convert");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var cache = _fixture.NewDirectory("removed-convert-cache");
            var converted = Path.Combine(cache, "converted");
            var app = _fixture.CreateProject("RemovedConvertApp", cache,
                $"""<DarknetModel Include="yolov3-tiny" Sha256="{sha}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
            string? removed = null;
            var build = TestProject.Run(_fixture, app.Directory, cache, new[] { "build", app.ProjectPath }, whileRunning: pid =>
            {
                var live = LiveWriter.WaitForOpenFile(() => Directory.Exists(converted)
                    ? Directory.GetFiles(converted, "*" + TempFiles.Suffix, SearchOption.AllDirectories).FirstOrDefault()
                    : null, pid, TimeSpan.FromMinutes(4));
                if (live == null) return;
                using (LiveWriter.Freeze(live.Value.Writer))
                {
                    if (!File.Exists(live.Value.Path)) return;
                    File.Delete(live.Value.Path);
                    removed = live.Value.Path;
                }
            });
            _output.WriteLine("removed " + removed + "\n" + build);
            if (removed == null)
            {
                Succeeded(build);
                continue;
            }

            Succeeded(build);
            var entry = Path.Combine(Path.GetDirectoryName(removed)!, "yolov3-tiny.npy");
            Assert.Equal(File.ReadAllBytes(entry), File.ReadAllBytes(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(entry))).ToLowerInvariant(),
                Darknet.Cache.Sidecar.Read(entry)!.Hashes.Sha256);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(removed)!, "*" + TempFiles.Suffix));
            return;
        }
        throw new Xunit.Sdk.XunitException("three conversions ended before they could be frozen");
    }

    [Fact]
    public async Task APartialRemovedMidDownloadIsDownloadedAgainAndFetchSucceeds()
    {
        var sha = _fixture.Tiny.Sha256;
        var mirror = _fixture.ServeTiny("removed-download");
        var path = "removed-download/" + _fixture.Tiny.FileName;
        _fixture.Server.StallAfter(path, 1_000_000, TimeSpan.FromSeconds(10));
        var cache = _fixture.NewDirectory("removed-download-cache");
        var entry = Path.Combine(cache, "weights", "sha256-" + sha, _fixture.Tiny.FileName);

        using var fetch = DarknetProcess.Start(new ProcessRun.Options(), "fetch", "yolov3-tiny", "--cache", cache, "--mirror", mirror, "--sha256", sha);
        var stdout = fetch.StandardOutput.ReadToEndAsync();
        var stderr = fetch.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!(File.Exists(entry + ".dkn-partial") && new FileInfo(entry + ".dkn-partial").Length >= 500_000))
        {
            Assert.False(fetch.HasExited, "darknet fetch ended before its download reached the stall");
            Assert.True(DateTime.UtcNow < deadline, "the download never reached the stall");
            Thread.Sleep(20);
        }
        // What `clean --all` did before it took locks: the whole entry directory, lock and partial with it.
        Directory.Delete(Path.GetDirectoryName(entry)!, recursive: true);

        Assert.True(fetch.WaitForExit(TimeSpan.FromMinutes(3)), "darknet fetch did not finish");
        var (output, errors) = (await stdout, await stderr);
        _output.WriteLine(output + "\n" + errors);
        Assert.True(fetch.ExitCode == 0, $"exit {fetch.ExitCode}\n{output}\n{errors}");
        Assert.Equal(_fixture.Tiny.Bytes, File.ReadAllBytes(entry));
        Assert.Equal(2, _fixture.Server.RequestCount(path));
    }
}
