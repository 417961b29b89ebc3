using System.Diagnostics;
using System.Text;
using Darknet.Build.Tasks;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Cache;
using Darknet.Weights;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Tasks;

/// <summary>
/// What MSBuild does with the registered work when a build ends before DarknetWaitForModels (a compile error, Ctrl+C):
/// Dispose cancels the real acquire (a download stalled on the loopback server) and returns once it has stopped, with
/// nothing left but the partial a resume keeps.
/// </summary>
public sealed class BackgroundAcquisitionTests : IDisposable
{
    private const string Cfg = "[net]\nwidth=32\nheight=32\nchannels=3\n\n" +
                               "[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=1\npad=1\nactivation=leaky\n\n" +
                               "[convolutional]\nfilters=8\nsize=1\nstride=1\nactivation=linear\n";
    private const int WeightsSize = 20 + 4 * ((4 * 16 + 16 * 3 * 9) + (8 + 8 * 16));
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _root = new();

    public void Dispose()
    {
        _server.Dispose();
        _root.Dispose();
    }

    private static string[] FilesUnder(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories) : Array.Empty<string>();

    [Fact]
    public void Dispose_cancels_a_stalled_download_and_returns_once_the_work_has_stopped()
    {
        var weights = SeededBytes.Create(WeightsSize, 3);
        _server.Serve("bg/tiny.weights", weights);
        _server.StallAfter("bg/tiny.weights", 1000, TimeSpan.FromMinutes(5));
        var cfg = _root.Combine("tiny.cfg");
        File.WriteAllText(cfg, Cfg, Encoding.ASCII);
        var cache = _root.Combine("cache");
        var obj = _root.Combine("obj");
        Directory.CreateDirectory(obj);
        var request = new ModelRequest
        {
            Name = "tiny", OutputName = "tiny", Format = OutputFormat.Npy, Config = cfg, WeightsUrl = _server.Url("bg/tiny.weights"),
            Sha256 = SeededBytes.Sha256(weights), OutputPath = Path.Combine(obj, "tiny.npy"),
        };
        var log = AcquireLog.Buffered();
        var settings = new AcquireSettings(new BuildLog(log, null)) { AllowHttp = true, StallTimeout = TimeSpan.FromMinutes(10) };
        var work = new BackgroundAcquisition("tiny.npy", log, token =>
            AcquireAll.Run(new MachineCache(cache), settings, new List<ModelRequest> { request }, log, token));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_server.BodyBytesSent("bg/tiny.weights") < 1000 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.True(_server.BodyBytesSent("bg/tiny.weights") >= 1000, "the download never started");
        Thread.Sleep(200);   // into the stall
        Assert.False(work.HasStopped);

        var clock = Stopwatch.StartNew();
        work.Dispose();

        Assert.True(work.HasStopped, "Dispose returned while the work was still running");
        // Far less than the 5-minute stall and the 10-minute stall timeout: the download was cancelled, not waited out.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "Dispose took " + clock.Elapsed);
        Assert.True(log.HasErrors, "the cancelled work recorded its DKN5008 (never replayed: no wait task)");
        Assert.DoesNotContain(FilesUnder(cache), f => f.EndsWith(".dkn-tmp", StringComparison.Ordinal) || f.EndsWith("tiny.weights", StringComparison.Ordinal));
        Assert.Empty(FilesUnder(obj));
        work.Dispose();   // MSBuild may dispose what the wait task already disposed: nothing happens
    }
}
