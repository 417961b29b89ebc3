using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>Must 5 through a real build: plain http:// is refused unless the hash is pinned or $(DarknetAllowHttp) is true.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class HttpPolicyTests
{
    private const string Cfg = CustomModelTests.TinyCfg;

    private readonly EndToEndFixture _fixture;

    public HttpPolicyTests(EndToEndFixture fixture) => _fixture = fixture;

    private SyntheticWeights Serve(string path)
    {
        var layout = NetworkLayout.FromCfg(Cfg, "net.cfg");
        var weights = SyntheticWeights.OfSize("httpnet.weights", DarknetConverter.ExpectedFileSize(layout, 20, null), seed: 5);
        _fixture.Server.Serve(path, weights.Bytes);
        return weights;
    }

    [Fact]
    public void PlainHttpWithoutAPinnedHashIsRefusedUntilDarknetAllowHttp()
    {
        var path = "http-policy/httpnet.weights";
        Serve(path);
        var directory = _fixture.NewDirectory("http-policy");
        File.WriteAllText(Path.Combine(directory, "net.cfg"), Cfg);
        var app = _fixture.CreateProject("HttpPolicyApp", _fixture.NewDirectory("http-policy-cache"),
            $"""<DarknetModel Include="httpnet" Config="net.cfg" WeightsUrl="{_fixture.Server.Url(path)}" />""", directory: directory);

        var refused = app.Build();
        FailedWith(refused, "DKN4005");
        Assert.Contains("DarknetAllowHttp", refused.Output);
        Assert.Equal(0, _fixture.Server.RequestCount(path));

        Succeeded(app.Build("-p:DarknetAllowHttp=true"));
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "httpnet.npy")));
        Assert.Equal(1, _fixture.Server.RequestCount(path));
    }

    /// <summary>Config as a URL (over http, so DarknetAllowHttp): fetched into the machine cache, converted with its layout.</summary>
    [SkippableFact]
    public void ConfigGivenAsAUrlIsFetchedAndUsed()
    {
        var weightsPath = "config-url/httpnet.weights";
        var weights = Serve(weightsPath);
        _fixture.Server.Serve("config-url/net.cfg", System.Text.Encoding.UTF8.GetBytes(Cfg), "text/plain");
        var cache = _fixture.NewDirectory("config-url-cache");
        var app = _fixture.CreateProject("ConfigUrlApp", cache,
            $"""<DarknetModel Include="httpnet" Config="{_fixture.Server.Url("config-url/net.cfg")}" WeightsUrl="{_fixture.Server.Url(weightsPath)}" Sha256="{weights.Sha256}" />""",
            "<DarknetAllowHttp>true</DarknetAllowHttp>");

        Succeeded(app.Build());

        var output = Path.Combine(app.BinDirectory, "httpnet.npy");
        Assert.True(File.Exists(output), output);
        Assert.Equal(LayerNaming.NamesFor(NetworkLayout.FromCfg(Cfg, "net.cfg")), NumpyLayerNames(output));
        Assert.Equal(1, _fixture.Server.RequestCount("config-url/net.cfg"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(cache, "configs"), "net.cfg", SearchOption.AllDirectories));
    }
}
