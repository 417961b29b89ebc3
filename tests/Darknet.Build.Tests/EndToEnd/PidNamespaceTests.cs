using System.Diagnostics;
using System.Text;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights.IO;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19, Must 2: CI containers sharing one cache volume, as two PID namespaces (`unshare -p --fork --mount-proc`).
/// Build A, frozen while it writes a conversion's temp (whose name carries A's pid, a number that means nothing in B's
/// namespace), and in namespace B a build of another output and a `darknet cache clean`, both of which sweep the cache
/// for litter. Neither removes A's temp (A holds its entry's lock, and the entry's flock holds across namespaces);
/// A then finishes. Before: B's build logged "removed 1 files left by killed builds" and A failed with DKN4012.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PidNamespaceTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public PidNamespaceTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [SkippableFact]
    public void ABuildInAnotherPidNamespaceNeverRemovesALiveTemp()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "PID namespaces are Linux's");
        Skip.IfNot(Environment.UserName == "root", "unshare -p needs root (or a user namespace this test does not set up)");
        var probe = ProcessRun.Run("unshare", "-p", "--fork", "--mount-proc", "/bin/true");
        Skip.IfNot(probe.Exit == 0, "unshare -p --fork --mount-proc does not work here: " + probe);

        var sha = _fixture.Tiny.Sha256;
        var mirror = _fixture.ServeTiny("pidns");
        // A conversion can end between its temp's first bytes and the SIGSTOP: then nothing can be said, and it runs again.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var cache = _fixture.NewDirectory("pidns-cache");
            var converted = Path.Combine(cache, "converted");
            var a = _fixture.CreateProject("PidNsA", cache, $"""<DarknetModel Include="yolov3-tiny" Sha256="{sha}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
            var b = _fixture.CreateProject("PidNsB", cache, $"""<DarknetModel Include="yolov3-tiny" Sha256="{sha}" Format="npz" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
            // B's weights are A's (one entry), fetched first: B must not wait on A's download, only sweep while A converts.
            var fetch = ProcessRun.Run("dotnet", "exec", Path.Combine(AppContext.BaseDirectory, "darknet.dll"), "fetch", "yolov3-tiny", "--cache", cache, "--mirror", mirror, "--sha256", sha);
            Assert.True(fetch.Exit == 0, fetch.ToString());
            string? temp = null;
            DotnetResult? other = null;
            ProcessRun.Result? clean = null;
            var tempKept = false;
            var buildA = InNamespace(a.Directory, cache, spare: 0, whileRunning: pid =>
            {
                var live = LiveWriter.WaitForOpenFile(() => Directory.Exists(converted)
                    ? Directory.GetFiles(converted, ".yolov3-tiny.npy.*" + TempFiles.Suffix, SearchOption.AllDirectories).FirstOrDefault()
                    : null, pid, TimeSpan.FromMinutes(4));
                if (live == null) return;
                using (LiveWriter.Freeze(live.Value.Writer))
                {
                    if (!File.Exists(live.Value.Path)) return;
                    temp = live.Value.Path;
                    // Spare processes first, so B's build has another pid than A's, and A's is no process of B's namespace.
                    other = InNamespace(b.Directory, cache, spare: 5, whileRunning: null, "build", b.ProjectPath, "-v:n");
                    clean = ProcessRun.Run("unshare", "-p", "--fork", "--mount-proc", "dotnet", "exec",
                        Path.Combine(AppContext.BaseDirectory, "darknet.dll"), "cache", "clean", "--cache", cache);
                    tempKept = File.Exists(temp);
                }
            }, "build", a.ProjectPath);
            _output.WriteLine("A's temp: " + temp + "\nA: " + buildA + "\nB: " + other + "\nclean in B: " + clean);
            if (temp == null)
            {
                Succeeded(buildA);
                continue;
            }

            Succeeded(other!);
            Assert.True(clean!.Exit == 0, clean.ToString());
            Assert.Contains("busy     " + Path.GetRelativePath(cache, Path.Combine(Path.GetDirectoryName(temp)!, "yolov3-tiny.npy")), clean.Stdout);
            Assert.True(tempKept, "B's build or clean removed A's live temp " + temp);
            Assert.DoesNotContain("left by killed builds", other!.Output);
            Succeeded(buildA);
            Assert.Equal(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(temp)!, "yolov3-tiny.npy")), File.ReadAllBytes(Path.Combine(a.BinDirectory, "yolov3-tiny.npy")));
            return;
        }
        throw new Xunit.Sdk.XunitException("three conversions ended before they could be frozen");
    }

    /// <summary>
    /// `dotnet ARGS` as pid 2 + <paramref name="spare"/> of a new PID namespace (a shell is pid 1 and runs that many
    /// short processes first), with the environment TestProject.Run gives a build.
    /// </summary>
    private DotnetResult InNamespace(string directory, string cache, int spare, Action<int>? whileRunning, params string[] arguments)
    {
        var command = string.Concat(Enumerable.Repeat("/bin/true; ", spare)) + "exec_status=0; \"$@\" || exec_status=$?; exit $exec_status";
        var all = arguments.Concat(new[] { "-nodeReuse:false", "--disable-build-servers" }).ToList();
        if (!arguments.Any(x => x.StartsWith("-v:", StringComparison.Ordinal))) all.Add("-v:m");
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = _fixture.PackagesDirectory, ["DARKNET_CACHE_DIR"] = cache };
        return DotnetCli.Run(directory, environment, all.ToArray(), whileRunning,
            prefix: new[] { "unshare", "-p", "--fork", "--mount-proc", "/bin/sh", "-c", command, "sh" }, TimeSpan.FromMinutes(8));
    }
}
