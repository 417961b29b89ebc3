using System.Text;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19 Must 1 through real `dotnet build`s that run their tasks in one reused MSBuild node (MSBUILDNOINPROCNODE=1,
/// node reuse on): build 1 through a proxy that requires alice's password, build 2 of another project through a second
/// proxy without credentials, build 3 with no proxy variable straight to a loopback mirror, each with its own
/// DARKNET_MIRROR_TOKEN. Each request goes where its own build says, with its own credentials or none.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReusedNodeEnvironmentTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public ReusedNodeEnvironmentTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    // DotnetCli.Run waits for the end of the build's redirected output, which the reused node inherits and keeps open:
    // this test needs a runner that stops reading when the build process exits before it can run.
    [Fact(Skip = "needs a runner that does not wait for the output a reused MSBuild node keeps open (issue 19 Must 1)")]
    public void Each_build_in_a_reused_node_uses_its_own_proxy_proxy_credentials_and_mirror_token()
    {
        if (!OperatingSystem.IsLinux()) return;
        var file = _fixture.Tiny.FileName;
        using var proxyA = new RecordingProxy(file, _fixture.Tiny.Bytes, requiredBasic: "alice:ALICEPW");
        using var proxyB = new RecordingProxy(file, _fixture.Tiny.Bytes);
        var direct = _fixture.ServeTiny("reused-node-direct");
        _fixture.Server.RequireAuthorization("reused-node-direct/" + file, "Bearer CAROLTOKEN");
        var nodes = new HashSet<int>();
        try
        {
            var first = Build("ReusedA", "http://weights-a.fleet.invalid/m/", nodes, out var spawnedByFirst, new()
            {
                ["HTTP_PROXY"] = proxyA.Url("alice:ALICEPW"),
                ["DARKNET_MIRROR_TOKEN"] = "ALICETOKEN",
            });
            Succeeded(first);
            Assert.NotEmpty(spawnedByFirst);

            var second = Build("ReusedB", "http://weights-b.fleet.invalid/m/", nodes, out var spawnedBySecond, new()
            {
                ["HTTP_PROXY"] = proxyB.Url(),
                ["DARKNET_MIRROR_TOKEN"] = "BOBTOKEN",
            });
            Succeeded(second);

            var third = Build("ReusedC", direct, nodes, out var spawnedByThird, new()
            {
                ["DARKNET_MIRROR_TOKEN"] = "CAROLTOKEN",
            });
            Succeeded(third);

            // The later builds ran in the first build's nodes: they started none of their own.
            Assert.Empty(spawnedBySecond);
            Assert.Empty(spawnedByThird);

            var alice = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:ALICEPW"));
            var viaA = proxyA.Requests;
            _output.WriteLine("proxy A: " + string.Join("; ", viaA));
            _output.WriteLine("proxy B: " + string.Join("; ", proxyB.Requests));
            Assert.All(viaA, r => Assert.StartsWith("http://weights-a.fleet.invalid/", r.Url));
            Assert.All(viaA, r => Assert.Equal("Bearer ALICETOKEN", r.Authorization));
            var servedByA = Assert.Single(viaA, r => r.Status == 200);
            Assert.Equal(alice, servedByA.ProxyAuthorization);

            var viaB = proxyB.Requests;
            var servedByB = Assert.Single(viaB);
            Assert.StartsWith("http://weights-b.fleet.invalid/", servedByB.Url);
            Assert.Null(servedByB.ProxyAuthorization);
            Assert.Equal("Bearer BOBTOKEN", servedByB.Authorization);

            var directRequest = Assert.Single(_fixture.Server.Requests, r => r.Path == "reused-node-direct/" + file);
            Assert.Equal(200, directRequest.Status);
            Assert.Equal("Bearer CAROLTOKEN", directRequest.Authorization);
        }
        finally
        {
            foreach (var pid in nodes) MsbuildNodes.End(pid);
        }
    }

    private DotnetResult Build(string name, string mirror, HashSet<int> nodes, out List<int> spawned, Dictionary<string, string> environment)
    {
        var cache = _fixture.NewDirectory(name + "-cache");
        var app = _fixture.CreateProject(name, cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
        var variables = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = _fixture.PackagesDirectory,
            ["DARKNET_CACHE_DIR"] = cache,
            ["NETRC"] = Path.Combine(app.Directory, "no-netrc"),
            ["MSBUILDDISABLENODEREUSE"] = "",
            ["MSBUILDNOINPROCNODE"] = "1",
            ["HTTP_PROXY"] = "", ["HTTPS_PROXY"] = "", ["ALL_PROXY"] = "", ["NO_PROXY"] = "",
            ["http_proxy"] = "", ["https_proxy"] = "", ["all_proxy"] = "", ["no_proxy"] = "",
        };
        foreach (var (key, value) in environment) variables[key] = value;
        var mine = new List<int>();
        var result = DotnetCli.Run(app.Directory, variables, new[] { "build", app.ProjectPath, "-nodeReuse:true", "-m:1", "-v:m" },
            pid => MsbuildNodes.Watch(pid, mine));
        lock (mine) nodes.UnionWith(mine);
        _output.WriteLine(name + ": nodes started " + string.Join(",", mine) + "\n" + result);
        spawned = mine;
        return result;
    }
}
