using System.Text;
using System.Text.RegularExpressions;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19 Must 1 with real processes: three builds of three projects, one after the other, in one MSBuild process
/// that stays alive between them (a reused out-of-proc node, or the MSBuild server). Build 1 goes through proxy A with
/// alice's password and alice's mirror token, build 2 through proxy B without credentials and with bob's token, build
/// 3 with no proxy variable straight to a loopback mirror with carol's token: each request goes where its own build
/// says, with its own credentials or none. The same process id runs the acquire step of all three builds (else the
/// test would prove nothing).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class ReusedNodeTests
{
    private const string AliceProxyPassword = "ALICEPW-reused-5e1a";
    private const string AliceToken = "ALICETOKEN-reused-93c0";
    private const string BobToken = "BOBTOKEN-reused-27fd";
    private const string CarolToken = "CAROLTOKEN-reused-c41b";

    private readonly EndToEndFixture _fixture;

    public ReusedNodeTests(EndToEndFixture fixture) => _fixture = fixture;

    public static TheoryData<string> Modes => new() { "reused node", "MSBuild server" };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Each_build_in_a_reused_process_uses_its_own_proxy_credentials_and_token(string mode)
    {
        var server = mode == "MSBuild server";
        using var nodes = new ReusedNodes(server
            ? new Dictionary<string, string> { ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "1", ["MSBUILDUSESERVER"] = "1" }
            : new Dictionary<string, string> { ["MSBUILDNOINPROCNODE"] = "1", ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0", ["MSBUILDUSESERVER"] = "0" });
        var prefix = "reused-" + (server ? "server" : "node");
        var aliceBasic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + AliceProxyPassword));
        using var proxyA = new RecordingProxy(new Uri(_fixture.Server.BaseUrl), requiredProxyAuthorization: aliceBasic);
        using var proxyB = new RecordingProxy(new Uri(_fixture.Server.BaseUrl));
        var tiny = _fixture.Tiny;
        foreach (var (who, token) in new[] { ("a", AliceToken), ("b", BobToken), ("c", CarolToken) })
        {
            _fixture.Server.Serve($"{prefix}/{who}/{tiny.FileName}", tiny.Bytes);
            _fixture.Server.RequireAuthorization($"{prefix}/{who}/{tiny.FileName}", "Bearer " + token);
        }
        // A host name that does not resolve: only a proxy can reach it (a loopback address would bypass the proxy).
        var mirrorA = $"http://darknet-mirror-a.invalid/{prefix}/a/";
        var mirrorB = $"http://darknet-mirror-b.invalid/{prefix}/b/";
        var mirrorC = _fixture.Server.Url($"{prefix}/c/");

        var first = Build(nodes, "ReusedA", mirrorA, new Dictionary<string, string?>
        {
            ["HTTP_PROXY"] = $"http://alice:{AliceProxyPassword}@127.0.0.1:{proxyA.Port}",
            ["DARKNET_MIRROR_TOKEN"] = AliceToken,
        });
        // Looked for now: a node (or server) lives until its idle timeout, and the check must not race it.
        var liveAfterFirst = nodes.Processes(server ? "/nodemode:8" : "/nodemode:1");
        var second = Build(nodes, "ReusedB", mirrorB, new Dictionary<string, string?>
        {
            ["HTTP_PROXY"] = $"http://127.0.0.1:{proxyB.Port}",
            ["DARKNET_MIRROR_TOKEN"] = BobToken,
        });
        var aSeenAfterSecond = proxyA.Requests.Count;
        var third = Build(nodes, "ReusedC", mirrorC, new Dictionary<string, string?> { ["DARKNET_MIRROR_TOKEN"] = CarolToken });

        Succeeded(first.Result);
        Succeeded(second.Result);
        Succeeded(third.Result);
        // The same long-lived MSBuild process (a node, or the server: /nodemode:1 or 8) ran all three acquire steps.
        Assert.True(liveAfterFirst.Contains(first.AcquirePid),
            $"the acquire step ran in {first.AcquirePid}, not in a node of this test ({string.Join(", ", liveAfterFirst)}; any salted: {string.Join(", ", nodes.Processes(""))})\n{first.Result}");
        Assert.Equal(first.AcquirePid, second.AcquirePid);
        Assert.Equal(first.AcquirePid, third.AcquirePid);

        // Build 1: through proxy A, with alice's proxy password (after A's 407) and alice's token.
        var a = proxyA.Requests;
        Assert.NotEmpty(a);
        Assert.All(a, r => Assert.StartsWith(mirrorA, r.Url, StringComparison.Ordinal));
        Assert.Contains(a, r => r.Status == 200 && r.ProxyAuthorization == aliceBasic && r.Authorization == "Bearer " + AliceToken);
        Assert.All(a, r => Assert.Equal("Bearer " + AliceToken, r.Authorization));

        // Build 2: through proxy B only, with no proxy credentials and bob's token; proxy A saw nothing more.
        Assert.Equal(a.Count, aSeenAfterSecond);
        var b = proxyB.Requests;
        Assert.NotEmpty(b);
        Assert.All(b, r =>
        {
            Assert.StartsWith(mirrorB, r.Url, StringComparison.Ordinal);
            Assert.Null(r.ProxyAuthorization);
            Assert.Equal("Bearer " + BobToken, r.Authorization);
        });
        Assert.Contains(b, r => r.Status == 200);

        // Build 3: no proxy at all (neither saw a request for it), straight to the mirror with carol's token only.
        Assert.Equal(a.Count, proxyA.Requests.Count);
        Assert.Equal(b.Count, proxyB.Requests.Count);
        var direct = _fixture.Server.Requests.Where(r => r.Path == $"{prefix}/c/{tiny.FileName}").ToList();
        Assert.NotEmpty(direct);
        Assert.All(direct, r => Assert.Equal("Bearer " + CarolToken, r.Authorization));
        Assert.Contains(direct, r => r.Status == 200);

        foreach (var secret in new[] { AliceProxyPassword, AliceToken, BobToken, CarolToken })
            foreach (var build in new[] { first, second, third })
                Assert.DoesNotContain(secret, build.Result.Output, StringComparison.Ordinal);
    }

    private sealed record ReusedBuild(DotnetResult Result, int AcquirePid);

    private ReusedBuild Build(ReusedNodes nodes, string name, string mirror, Dictionary<string, string?> environment)
    {
        var app = _fixture.CreateProject(name, _fixture.NewDirectory(name + "-cache"),
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
        environment["NUGET_PACKAGES"] = _fixture.PackagesDirectory;
        environment["DARKNET_CACHE_DIR"] = app.CacheDirectory;
        environment["NETRC"] = Path.Combine(app.Directory, "no-netrc");
        // -m:1: one node, so a reused process is the one node every build is given. -v:d shows the acquire step's process id.
        var result = nodes.Run(app.Directory, environment, "build", app.ProjectPath, "-nodeReuse:true", "-m:1", "-v:d");
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")), "no yolov3-tiny.npy in bin/:\n" + result);
        var pid = AcquirePid().Matches(result.Output).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.True(pid.Count == 1, "expected one acquire step's process id:\n" + result);
        return new ReusedBuild(result, pid[0]);
    }

    [GeneratedRegex(@"Darknet: acquire step in process (\d+)")]
    private static partial Regex AcquirePid();
}
