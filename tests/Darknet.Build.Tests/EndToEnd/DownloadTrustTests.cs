using System.Diagnostics;
using System.Text;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>Issue 7, Musts 3, 5 and 6 through real `dotnet build`s: resumed partials, secrets, Config refusals.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class DownloadTrustTests
{
    private const string Cfg = CustomModelTests.TinyCfg;
    private readonly EndToEndFixture _fixture;

    public DownloadTrustTests(EndToEndFixture fixture) => _fixture = fixture;

    /// <summary>`dotnet build` with this verbosity and extra environment (TestProject.Run always appends -v:m).</summary>
    private DotnetResult Build(TestProject app, string verbosity, IReadOnlyDictionary<string, string>? environment = null, Action<int>? whileRunning = null,
        params string[] extra)
    {
        var variables = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = _fixture.PackagesDirectory,
            ["DARKNET_CACHE_DIR"] = app.CacheDirectory,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) variables[name] = value;
        return DotnetCli.Run(app.Directory, variables,
            new[] { "build", app.ProjectPath, "-nodeReuse:false", "--disable-build-servers", "-v:" + verbosity }.Concat(extra).ToArray(), whileRunning);
    }

    /// <summary>
    /// Must 3: kill -9 of the whole build while the server stalls mid-download; the next build continues the partial the
    /// killed one left (Range from where it ended, If-Range with the first response's ETag), not from byte 0.
    /// Needs the cache side of the contract (a fixed "&lt;entry&gt;.dkn-partial" path handed to the downloader).
    /// </summary>
    [SkippableFact]
    public void AKilledBuildLeavesAPartialThatTheNextBuildContinues()
    {
        Skip.If(OperatingSystem.IsWindows(), "kills with SIGKILL");
        const long cut = 10_000_000;
        var mirror = _fixture.ServeTiny("killed");
        var path = "killed/yolov3-tiny.weights";
        _fixture.Server.StallAfter(path, cut, TimeSpan.FromMinutes(3));
        var cache = _fixture.NewDirectory("killed-cache");
        var app = _fixture.CreateProject("KilledApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
        Assert.Equal(0, app.Msbuild("-restore", "-t:Restore").ExitCode);

        var killed = Build(app, "m", whileRunning: pid =>
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (_fixture.Server.BodyBytesSent(path) < cut && DateTime.UtcNow < deadline) Thread.Sleep(100);
            Thread.Sleep(2000);   // the build writes what it received, then waits in the stall
            using var build = Process.GetProcessById(pid);
            build.Kill(entireProcessTree: true);
        });
        Assert.NotEqual(0, killed.ExitCode);
        var partial = FilesUnder(Path.Combine(cache, "weights")).SingleOrDefault(f => f.EndsWith(".dkn-partial", StringComparison.Ordinal));
        Assert.True(partial != null, "the killed build left a .dkn-partial: " + string.Join(", ", FilesUnder(cache)));
        // What reached the disk before the kill (a write buffer of up to 64 KiB dies with the process).
        var kept = new FileInfo(partial!).Length;
        Assert.InRange(kept, cut - (1 << 16), cut);
        Assert.True(File.Exists(partial + ".json"), "with its metadata");

        _fixture.Server.ClearFaults(path);
        var resumed = Build(app, "m");

        Succeeded(resumed);
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
        var requests = _fixture.Server.Requests.Where(r => r.Path == path).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("bytes=" + kept + "-", requests[1].Range);
        Assert.Equal(206, requests[1].Status);
        Assert.NotNull(requests[1].IfRange);
        Assert.DoesNotContain(FilesUnder(cache), f => f.EndsWith(".dkn-partial", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal));
    }

    /// <summary>
    /// Must 5: a password in a Config URL and a WeightsUrl (given as ${VARIABLE}, so MSBuild's own -v:diag item listing
    /// never sees it) is sent to the server as Basic credentials, and appears nowhere: not in a -v:diag output of a failed
    /// and of a successful build, not in obj/ (models.stamp), not in the machine cache (paths, sidecars, metadata).
    /// A password written literally in the project stays out of our lines at detailed verbosity (MSBuild itself lists
    /// item metadata only at diagnostic verbosity).
    /// </summary>
    [Fact]
    public void CredentialsAppearInNoLogObjFileOrCacheEntry()
    {
        const string password = "Pa55-e2e-7d1c";
        const string literal = "L1teral-e2e-93ab";
        var layout = NetworkLayout.FromCfg(Cfg, "net.cfg");
        var weights = SyntheticWeights.OfSize("secretnet.weights", DarknetConverter.ExpectedFileSize(layout, 20, null), seed: 11);
        _fixture.Server.Serve("secret/secretnet.weights", weights.Bytes);
        _fixture.Server.Serve("secret/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        _fixture.Server.DropAfter("secret/secretnet.weights", 1000);   // a retry and a resume: more log lines
        var root = "http://alice:${DKN_E2E_PASSWORD}@127.0.0.1:" + _fixture.Server.Port + "/secret/";
        var cache = _fixture.NewDirectory("secret-cache");
        var environment = new Dictionary<string, string> { ["DKN_E2E_PASSWORD"] = password };

        var app = _fixture.CreateProject("SecretApp", cache,
            $"""<DarknetModel Include="secretnet" Config="{root}net.cfg" WeightsUrl="{root}missing.weights" />""",
            "<DarknetAllowHttp>true</DarknetAllowHttp>");
        var failed = Build(app, "diag", environment);
        FailedWith(failed, "DKN4002");
        Assert.Contains("http://***@127.0.0.1:" + _fixture.Server.Port + "/secret/missing.weights", failed.Output);
        NowhereIn(password, failed, Path.Combine(app.Directory, "obj"), cache);

        _fixture.CreateProject("SecretApp", cache,
            $"""<DarknetModel Include="secretnet" Config="{root}net.cfg" WeightsUrl="{root}secretnet.weights" />""",
            "<DarknetAllowHttp>true</DarknetAllowHttp>", directory: app.Directory);
        var built = Build(app, "diag", environment);
        Succeeded(built);
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "secretnet.npy")));
        NowhereIn(password, built, Path.Combine(app.Directory, "obj"), Path.Combine(app.Directory, "bin"), cache);
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + password));
        var sent = _fixture.Server.Requests.Where(r => r.Path.StartsWith("secret/", StringComparison.Ordinal)).ToList();
        Assert.Contains(sent, r => r.Path == "secret/net.cfg");
        Assert.Equal(2, sent.Count(r => r.Path == "secret/secretnet.weights"));
        Assert.All(sent, r => Assert.Equal(basic, r.Authorization));

        var literalApp = _fixture.CreateProject("LiteralSecretApp", _fixture.NewDirectory("literal-secret-cache"),
            $"""<DarknetModel Include="secretnet" Config="http://bob:{literal}@127.0.0.1:{_fixture.Server.Port}/secret/net.cfg" WeightsUrl="http://bob:{literal}@127.0.0.1:{_fixture.Server.Port}/secret/missing.weights" />""",
            "<DarknetAllowHttp>true</DarknetAllowHttp>");
        var literalBuild = Build(literalApp, "d");
        FailedWith(literalBuild, "DKN4002");
        NowhereIn(literal, literalBuild, Path.Combine(literalApp.Directory, "obj"), literalApp.CacheDirectory);
    }

    /// <summary>
    /// Must 5: an https:// URL (a real TLS loopback server, trusted by the build through SSL_CERT_FILE) that redirects to
    /// plain http:// is refused (DKN4021) unless DarknetAllowHttp; when allowed, the credentials stay with the https origin.
    /// </summary>
    [SkippableFact]
    public void AnHttpsUrlRedirectingToPlainHttpIsRefusedUnlessAllowHttp()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the build is made to trust the test certificate through SSL_CERT_FILE (OpenSSL)");
        var (certificate, pem) = WeightsServer.SelfSignedCertificate();
        using var secure = new WeightsServer(certificate);
        var directory = _fixture.NewDirectory("downgrade");
        var certificateFile = Path.Combine(directory, "loopback.pem");
        File.WriteAllText(certificateFile, pem);
        File.WriteAllText(Path.Combine(directory, "net.cfg"), Cfg);
        var layout = NetworkLayout.FromCfg(Cfg, "net.cfg");
        var weights = SyntheticWeights.OfSize("dgnet.weights", DarknetConverter.ExpectedFileSize(layout, 20, null), seed: 13);
        _fixture.Server.Serve("downgrade/dgnet.weights", weights.Bytes);
        secure.Redirect("dgnet.weights", _fixture.Server.Url("downgrade/dgnet.weights"));
        var app = _fixture.CreateProject("DowngradeApp", _fixture.NewDirectory("downgrade-cache"),
            $$"""<DarknetModel Include="dgnet" Config="net.cfg" WeightsUrl="https://alice:${DKN_E2E_TLS}@127.0.0.1:{{secure.Port}}/dgnet.weights" Sha256="{{weights.Sha256}}" />""",
            directory: directory);
        var environment = new Dictionary<string, string> { ["SSL_CERT_FILE"] = certificateFile, ["DKN_E2E_TLS"] = "tls-pw-5e1f" };

        var refused = Build(app, "m", environment);

        FailedWith(refused, "DKN4021");
        Assert.Equal(1, secure.RequestCount("dgnet.weights"));
        Assert.NotNull(secure.Requests[0].Authorization);
        Assert.Equal(0, _fixture.Server.RequestCount("downgrade/dgnet.weights"));

        var allowed = Build(app, "m", environment, null, "-p:DarknetAllowHttp=true");

        Succeeded(allowed);
        Assert.Equal(1, _fixture.Server.RequestCount("downgrade/dgnet.weights"));
        Assert.Null(_fixture.Server.Requests.Single(r => r.Path == "downgrade/dgnet.weights").Authorization);
        NowhereIn("tls-pw-5e1f", allowed, Path.Combine(app.Directory, "obj"), app.CacheDirectory);
    }

    /// <summary>
    /// Must 6 through a real build: a local Config that is a .weights file or /dev/zero is refused (DKN1001) before it is
    /// read whole, and a Config URL whose server never answers fails with DKN4010 after DarknetStallTimeout.
    /// </summary>
    [SkippableFact]
    public void BinaryOrEndlessConfigsAndASilentConfigUrlFailFastWithTheirCodes()
    {
        Skip.IfNot(File.Exists("/dev/zero"), "needs /dev/zero");
        var directory = _fixture.NewDirectory("bad-config");
        File.WriteAllBytes(Path.Combine(directory, "yolov3-tiny.weights"), _fixture.Tiny.Bytes);
        File.WriteAllBytes(Path.Combine(directory, "small.weights"), SyntheticWeights.OfSize("small.weights", 4096).Bytes);
        _fixture.Server.Hang("silent/net.cfg");
        _fixture.Server.Serve("silent/net.weights", new byte[] { 1 });
        var app = _fixture.CreateProject("BadConfigApp", _fixture.NewDirectory("bad-config-cache"),
            $"""
            <DarknetModel Include="weightsascfg" Config="yolov3-tiny.weights" WeightsFile="small.weights" />
            <DarknetModel Include="smallweightsascfg" Config="small.weights" WeightsFile="small.weights" />
            <DarknetModel Include="devzero" Config="/dev/zero" WeightsFile="small.weights" />
            <DarknetModel Include="silent" Config="{_fixture.Server.Url("silent/net.cfg")}" WeightsUrl="{_fixture.Server.Url("silent/net.weights")}" />
            """,
            "<DarknetAllowHttp>true</DarknetAllowHttp><DarknetStallTimeout>1</DarknetStallTimeout>", directory: directory);
        Assert.Equal(0, app.Msbuild("-restore", "-t:Restore").ExitCode);

        var result = app.Build();

        FailedWith(result, "DKN1001");
        FailedWith(result, "DKN4010");
        Assert.Contains("yolov3-tiny.weights: is 35", result.Output);
        Assert.Contains("small.weights, line 1: a NUL byte", result.Output);
        Assert.Contains("zero: holds more than 4,194,304 bytes", result.Output);
        Assert.True(result.Elapsed < TimeSpan.FromMinutes(3), "took " + result.Elapsed);
        Assert.Equal(new Darknet.Cache.Download.DownloadOptions().MaxAttemptsPerUrl, _fixture.Server.RequestCount("silent/net.cfg"));
        Assert.Equal(0, _fixture.Server.RequestCount("silent/net.weights"));
    }
}
