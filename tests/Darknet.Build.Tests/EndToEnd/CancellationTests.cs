using System.Diagnostics;
using Xunit;

namespace Darknet.Build.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class CancellationTests
{
    private readonly EndToEndFixture _fixture;

    public CancellationTests(EndToEndFixture fixture) => _fixture = fixture;

    /// <summary>Ctrl+C during a stalled download: the build stops within seconds and nothing appears under a final name.</summary>
    [SkippableFact]
    public void CtrlCDuringADownloadStopsPromptlyAndPublishesNothing()
    {
        Skip.If(OperatingSystem.IsWindows(), "sends SIGINT with kill(1)");
        var mirror = _fixture.ServeTiny("cancel");
        var path = "cancel/yolov3-tiny.weights";
        _fixture.Server.StallAfter(path, 1_000_000, TimeSpan.FromMinutes(2));
        var cache = _fixture.NewDirectory("cancel-cache");
        var app = _fixture.CreateProject("CancelApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
        Assert.Equal(0, app.Msbuild("-restore", "-t:Restore").ExitCode);

        var interrupted = Stopwatch.StartNew();
        var result = TestProject.Run(_fixture, app.Directory, cache, new[] { "build", app.ProjectPath }, pid =>
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (_fixture.Server.RequestCount(path) == 0 && DateTime.UtcNow < deadline) Thread.Sleep(100);
            Thread.Sleep(1000);   // well into the stall
            interrupted.Restart();
            Process.Start("kill", new[] { "-INT", pid.ToString() })!.WaitForExit();
        });
        var stopped = interrupted.Elapsed;

        Assert.NotEqual(0, result.ExitCode);
        Assert.True(result.Output.Contains("Attempting to cancel the build", StringComparison.Ordinal), "MSBuild saw the Ctrl+C:\n" + result);
        Assert.True(stopped < TimeSpan.FromSeconds(20), $"took {stopped} to stop after Ctrl+C\n{result}");
        var weights = Path.Combine(cache, "weights");
        var left = Directory.Exists(weights) ? Directory.GetFiles(weights, "*", SearchOption.AllDirectories) : Array.Empty<string>();
        Assert.DoesNotContain(left, f => f.EndsWith("yolov3-tiny.weights", StringComparison.Ordinal) || f.EndsWith(".part", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(app.ObjModelDirectory, "yolov3-tiny.npy")));
    }
}
