using System.Text;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 9 Must 7 through real `dotnet build`s against the loopback server, which answers 401 without the expected
/// Authorization and records every header it got: DARKNET_MIRROR_TOKEN for the DarknetMirror's origin only, .netrc
/// (through NETRC) for its own host only, and neither secret in a -v:diag output, obj/ or the machine cache.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MirrorCredentialsTests
{
    private readonly EndToEndFixture _fixture;

    public MirrorCredentialsTests(EndToEndFixture fixture) => _fixture = fixture;

    private DotnetResult Build(TestProject app, string verbosity, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = _fixture.PackagesDirectory,
            ["DARKNET_CACHE_DIR"] = app.CacheDirectory,
            // Hermetic: the credentials of the machine running the tests play no part.
            ["NETRC"] = Path.Combine(app.Directory, "no-netrc"),
            ["DARKNET_MIRROR_TOKEN"] = "",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) variables[name] = value;
        return DotnetCli.Run(app.Directory, variables, new[] { "build", app.ProjectPath, "-nodeReuse:false", "--disable-build-servers", "-v:" + verbosity });
    }

    /// <summary>
    /// A DarknetMirror that answers 401 without a bearer token: the build fails with DKN4024 telling to set
    /// DARKNET_MIRROR_TOKEN; with it set, yolov3-tiny comes from the mirror with "Authorization: Bearer …", and the token
    /// is in no line of the -v:diag output, no file of obj/ or bin/, nothing in the cache.
    /// </summary>
    [Fact]
    public void A_mirror_that_needs_a_token_gets_it_from_DARKNET_MIRROR_TOKEN_and_the_token_is_never_written()
    {
        const string token = "mirror-tok-e2e-61c9a";
        var mirror = _fixture.ServeTiny("bearer");
        var path = "bearer/" + _fixture.Tiny.FileName;
        _fixture.Server.RequireAuthorization(path, "Bearer " + token);
        var app = _fixture.CreateProject("BearerApp", _fixture.NewDirectory("bearer-cache"),
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");

        var refused = Build(app, "m");

        FailedWith(refused, "DKN4024");
        Assert.Contains("HTTP 401", refused.Output);
        Assert.Contains("Set the environment variable DARKNET_MIRROR_TOKEN", refused.Output);
        Assert.Equal(1, _fixture.Server.RequestCount(path));
        Assert.Null(_fixture.Server.Requests.Single(r => r.Path == path).Authorization);

        var built = Build(app, "diag", new Dictionary<string, string> { ["DARKNET_MIRROR_TOKEN"] = token });

        Succeeded(built);
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
        var requests = _fixture.Server.Requests.Where(r => r.Path == path).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(200, requests[1].Status);
        Assert.Equal("Bearer " + token, requests[1].Authorization);
        NowhereIn(token, built, Path.Combine(app.Directory, "obj"), Path.Combine(app.Directory, "bin"), app.CacheDirectory);
    }

    /// <summary>
    /// The mirror redirects (as Artifactory or an S3-backed server does) to a storage host on another origin: the mirror
    /// gets the token, the storage host gets no Authorization at all, and the build succeeds.
    /// </summary>
    [Fact]
    public void The_token_is_not_sent_to_the_host_a_mirror_redirects_to()
    {
        const string token = "mirror-tok-e2e-redirect-2b7d";
        using var storage = new WeightsServer();
        storage.Serve("store/" + _fixture.Tiny.FileName, _fixture.Tiny.Bytes);
        var hop = "hop/" + _fixture.Tiny.FileName;
        _fixture.Server.Redirect(hop, storage.Url("store/" + _fixture.Tiny.FileName) + "?X-Amz-Signature=e2e", status: 307);
        var app = _fixture.CreateProject("RedirectTokenApp", _fixture.NewDirectory("redirect-token-cache"),
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""",
            $"<DarknetMirror>{_fixture.Server.Url("hop/")}</DarknetMirror>");

        var built = Build(app, "n", new Dictionary<string, string> { ["DARKNET_MIRROR_TOKEN"] = token });

        Succeeded(built);
        Assert.Equal("Bearer " + token, _fixture.Server.Requests.Single(r => r.Path == hop).Authorization);
        var stored = storage.Requests.Single();
        Assert.Equal(200, stored.Status);
        Assert.Null(stored.Authorization);
        NowhereIn(token, built, Path.Combine(app.Directory, "obj"), app.CacheDirectory);
    }

    /// <summary>
    /// NETRC names a .netrc elsewhere than ~/.netrc. Its "machine localhost" entry goes to localhost only: a WeightsUrl on
    /// 127.0.0.1 (same server, another host name) gets nothing, nor does it get DARKNET_MIRROR_TOKEN without a mirror.
    /// A wrong password fails with DKN4024 naming the entry and the file, not the password. Neither password appears in a
    /// -v:diag output, obj/ or the cache.
    /// </summary>
    [Fact]
    public void Netrc_credentials_from_the_file_NETRC_names_go_to_their_host_only()
    {
        const string password = "n3trc-e2e-pw-8d0f";
        const string stale = "n3trc-e2e-stale-4a2e";
        var cfg = CustomModelTests.TinyCfg;
        var layout = NetworkLayout.FromCfg(cfg, "net.cfg");
        var size = DarknetConverter.ExpectedFileSize(layout, 20, null);
        var guarded = SyntheticWeights.OfSize("guarded.weights", size, seed: 21);
        var open = SyntheticWeights.OfSize("open.weights", size, seed: 22);
        _fixture.Server.Serve("netrc/guarded.weights", guarded.Bytes);
        _fixture.Server.Serve("netrc/open.weights", open.Bytes);
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ci-user:" + password));
        _fixture.Server.RequireAuthorization("netrc/guarded.weights", basic);

        var directory = _fixture.NewDirectory("netrc");
        File.WriteAllText(Path.Combine(directory, "net.cfg"), cfg);
        var netrc = Path.Combine(directory, "credentials", "build.netrc");
        Directory.CreateDirectory(Path.GetDirectoryName(netrc)!);
        var port = _fixture.Server.Port;
        var app = _fixture.CreateProject("NetrcApp", _fixture.NewDirectory("netrc-cache"),
            $"""
            <DarknetModel Include="guarded" Config="net.cfg" WeightsUrl="http://localhost:{port}/netrc/guarded.weights" />
            <DarknetModel Include="open" Config="net.cfg" WeightsUrl="http://127.0.0.1:{port}/netrc/open.weights" />
            """,
            "<DarknetAllowHttp>true</DarknetAllowHttp>", directory: directory);
        var environment = new Dictionary<string, string> { ["NETRC"] = netrc, ["DARKNET_MIRROR_TOKEN"] = "no-mirror-tok-e2e" };

        File.WriteAllText(netrc, $"machine localhost\n  login ci-user\n  password {stale}\n");
        var refused = Build(app, "diag", environment);

        FailedWith(refused, "DKN4024");
        Assert.Contains("refused the login 'ci-user' of the machine localhost entry in " + netrc, refused.Output);
        NowhereIn(stale, refused, Path.Combine(app.Directory, "obj"), app.CacheDirectory);

        File.WriteAllText(netrc, $"# CI credentials\nmachine localhost\n  login ci-user\n  password {password}\nmacdef init\nmachine 127.0.0.1 login leaked password {stale}\n\n");
        var built = Build(app, "diag", environment);

        Succeeded(built);
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "guarded.npy")));
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "open.npy")));
        var guardedRequests = _fixture.Server.Requests.Where(r => r.Path == "netrc/guarded.weights").ToList();
        Assert.Equal(new[] { 401, 200 }, guardedRequests.Select(r => r.Status));
        Assert.Equal(basic, guardedRequests[1].Authorization);
        var openRequest = _fixture.Server.Requests.Single(r => r.Path == "netrc/open.weights");   // the first build cached it
        Assert.Equal(200, openRequest.Status);
        Assert.Null(openRequest.Authorization);
        NowhereIn(password, built, Path.Combine(app.Directory, "obj"), Path.Combine(app.Directory, "bin"), app.CacheDirectory);
        NowhereIn("no-mirror-tok-e2e", built, Path.Combine(app.Directory, "obj"), app.CacheDirectory);
    }
}
