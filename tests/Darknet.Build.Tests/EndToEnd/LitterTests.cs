using System.Diagnostics;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 7, Must 9: a real `dotnet build` killed with SIGKILL (its whole process tree, by process id) during the download,
/// the conversion into the cache and the copy into obj/; the next build removes what the dead one left, and
/// `dotnet clean` removes obj/ temps. A download's partial is not litter: it stays to be resumed, then is published.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class LitterTests
{
    private static readonly Lazy<SyntheticWeights> Yolov3 = new(() => SyntheticWeights.ForBuiltIn("yolov3", seed: 7));
    private readonly EndToEndFixture _fixture;

    public LitterTests(EndToEndFixture fixture) => _fixture = fixture;

    private static string[] FilesUnder(string directory, string pattern) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, pattern, SearchOption.AllDirectories) : Array.Empty<string>();

    private const string ObjFileLinkRecordSuffix = ".dkn-link.";

    private static string[] Temps(string directory) => FilesUnder(directory, "*.dkn-tmp");

    /// <summary>Builds, and kills the build's process tree (SIGKILL) as soon as <paramref name="appears"/> finds a file.</summary>
    private (DotnetResult Result, string? Seen) BuildKilledWhen(TestProject app, Func<string?> appears)
    {
        string? seen = null;
        var result = TestProject.Run(_fixture, app.Directory, app.CacheDirectory, new[] { "build", app.ProjectPath }, pid =>
        {
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (seen == null && DateTime.UtcNow < deadline)
            {
                seen = appears();
                if (seen == null) Thread.Sleep(5);
            }
            try
            {
                using var build = Process.GetProcessById(pid);
                build.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone: the assertions below say what was missed.
            }
        });
        return (result, seen);
    }

    private TestProject Yolov3Project(string name, string prefix, string? cache = null)
    {
        var weights = Yolov3.Value;
        _fixture.Server.Serve(prefix + "/" + weights.FileName, weights.Bytes);
        return _fixture.CreateProject(name, cache ?? _fixture.NewDirectory(prefix + "-cache"),
            $"""<DarknetModel Include="yolov3" Sha256="{weights.Sha256}" />""",
            $"<DarknetMirror>{_fixture.Server.Url(prefix + "/")}</DarknetMirror>");
    }

    [SkippableFact]
    public void AKillDuringTheDownloadLeavesAResumablePartialThatTheNextBuildPublishes()
    {
        Skip.If(OperatingSystem.IsWindows(), "kills by process tree on Unix");
        var mirror = _fixture.ServeTiny("litter-download");
        var path = "litter-download/yolov3-tiny.weights";
        _fixture.Server.StallAfter(path, 1_000_000, TimeSpan.FromMinutes(2));
        var cache = _fixture.NewDirectory("litter-download-cache");
        var app = _fixture.CreateProject("LitterDownloadApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
        var partial = Path.Combine(cache, "weights", "sha256-" + _fixture.Tiny.Sha256, "yolov3-tiny.weights.dkn-partial");

        var (killed, seen) = BuildKilledWhen(app, () => File.Exists(partial) && new FileInfo(partial).Length > 0 ? partial : null);

        Assert.True(seen != null, "the download never started:\n" + killed);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.True(File.Exists(partial), "a killed download keeps its partial for the next build");
        Assert.Empty(FilesUnder(cache, "yolov3-tiny.weights"));

        _fixture.Server.ClearFaults(path);
        Succeeded(app.Build());
        Assert.False(File.Exists(partial), "the finished partial was published");
        Assert.Single(FilesUnder(cache, "yolov3-tiny.weights"));
        Assert.Empty(Temps(cache));
        Assert.Empty(Temps(app.ObjModelDirectory));
    }

    /// <summary>Before: a kill during the conversion left a hidden 248 MB "…npy.…tmp-…" file in the cache for good.</summary>
    [SkippableFact]
    public void AKillDuringTheConversionLeavesATempThatTheNextBuildRemoves()
    {
        Skip.If(OperatingSystem.IsWindows(), "kills by process tree on Unix");
        var app = Yolov3Project("LitterConvertApp", "litter-convert");
        var converted = Path.Combine(app.CacheDirectory, "converted");

        var (killed, seen) = BuildKilledWhen(app, () => FilesUnder(converted, ".yolov3.npy.*.dkn-tmp").FirstOrDefault());

        Assert.True(seen != null, "no conversion temp appeared:\n" + killed);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.True(File.Exists(seen), "the killed conversion left its temp (what this test is about)");

        var next = app.Build();
        Succeeded(next);
        Assert.False(File.Exists(seen), seen);
        Assert.Empty(Temps(app.CacheDirectory));
        Assert.Single(FilesUnder(converted, "yolov3.npy"));
        Assert.Equal(new FileInfo(FilesUnder(converted, "yolov3.npy").Single()).Length,
                     new FileInfo(Path.Combine(app.ObjModelDirectory, "yolov3.npy")).Length);
    }

    /// <summary>Before: a kill while copying into obj/ left a temp there that even `dotnet clean` kept.</summary>
    [SkippableFact]
    public void AKillDuringTheCopyIntoObjLeavesATempThatCleanAndTheNextBuildRemove()
    {
        Skip.If(OperatingSystem.IsWindows(), "kills by process tree on Unix");
        // Issue 8: on Linux, a cache on the project's volume gives obj/ a hard link (no copy to kill). A cache on another
        // volume (/dev/shm, a tmpfs) still gets a copy: the case this test is about.
        string? cache = null;
        if (OperatingSystem.IsLinux())
        {
            Skip.IfNot(Directory.Exists("/dev/shm") && new DriveInfo("/dev/shm").AvailableFreeSpace > 1L << 30,
                "needs /dev/shm (another volume, 1 GB free) for a cache that obj/ cannot link to");
            cache = Path.Combine("/dev/shm", "darknet-litter-" + Guid.NewGuid().ToString("N").Substring(0, 10));
        }
        try
        {
            KillDuringTheCopyIntoObj(Yolov3Project("LitterObjApp", "litter-obj", cache));
        }
        finally
        {
            if (cache != null && Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        }
    }

    private void KillDuringTheCopyIntoObj(TestProject app)
    {
        var obj = app.ObjModelDirectory;

        // The copy's own temp (".yolov3.npy.<pid>-<hex>.dkn-tmp"), not the small link record's (".yolov3.npy.dkn-link.…").
        var (killed, seen) = BuildKilledWhen(app, () => FilesUnder(obj, ".yolov3.npy.*.dkn-tmp")
            .FirstOrDefault(f => !Path.GetFileName(f).Contains(ObjFileLinkRecordSuffix)));

        Assert.True(seen != null, "no obj/ temp appeared:\n" + killed);
        Assert.True(File.Exists(seen), "the killed copy left its temp (what this test is about): " + seen + "\nobj/: " +
                                       string.Join(", ", FilesUnder(obj, "*").Select(Path.GetFileName)) + "\n" + killed);
        Assert.False(File.Exists(Path.Combine(obj, "yolov3.npy")));

        Succeeded(app.Clean());
        Assert.False(File.Exists(seen), "dotnet clean removes obj/ temps: " + seen);

        // A temp whose owner looks alive (this test process): the next build leaves it (a parallel build of this project
        // may be writing it), clean removes it.
        var planted = Path.Combine(obj, ".yolov3.npy." + Environment.ProcessId + "-0000beef.dkn-tmp");
        var dead = Path.Combine(obj, ".yolov3.npy.999999-0badc0de.dkn-tmp");
        File.WriteAllBytes(planted, new byte[16]);
        File.WriteAllBytes(dead, new byte[16]);
        Succeeded(app.Build());
        Assert.False(File.Exists(dead), "the next build removes a dead run's temp");
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "yolov3.npy")));
        Succeeded(app.Clean());
        Assert.Empty(Temps(obj));
    }
}
