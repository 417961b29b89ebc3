using System.Text;
using Darknet.Build.Tasks;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Xunit;

namespace Darknet.Build.Tests.Tasks;

/// <summary>Config="https://…/net.cfg": fetched once into the machine cache, then read from there (offline too).</summary>
public sealed class ConfigDownloadTests : IDisposable
{
    private const string Cfg = "[net]\nwidth=8\nheight=8\nchannels=3\n";
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _cache = new();

    public void Dispose()
    {
        _server.Dispose();
        _cache.Dispose();
    }

    private static AcquireSettings Settings(bool allowHttp = true, bool offline = false) => new() { AllowHttp = allowHttp, Offline = offline };

    [Fact]
    public void A_config_url_is_fetched_once_and_then_read_from_the_cache_even_offline()
    {
        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        var url = _server.Url("cfg/net.cfg");

        Assert.Equal(Cfg, ConfigDownload.Get(_cache.Path, url, Settings(), CancellationToken.None));
        Assert.Equal(Cfg, ConfigDownload.Get(_cache.Path, url, Settings(), CancellationToken.None));
        Assert.Equal(Cfg, ConfigDownload.Get(_cache.Path, url, Settings(offline: true), CancellationToken.None));

        Assert.Equal(1, _server.RequestCount("cfg/net.cfg"));
        var cached = Directory.GetFiles(Path.Combine(_cache.Path, "configs"), "*", SearchOption.AllDirectories);
        Assert.Equal(new[] { "net.cfg" }, cached.Select(Path.GetFileName));
    }

    [Fact]
    public void Offline_miss_names_the_path_to_place_the_config_at()
    {
        var url = _server.Url("cfg/net.cfg");
        var error = Assert.Throws<DarknetException>(() => ConfigDownload.Get(_cache.Path, url, Settings(offline: true), CancellationToken.None));

        Assert.Equal(BuildErrorCodes.OfflineMiss, error.Code);
        Assert.Contains(Path.Combine(_cache.Path, "configs"), error.Message);
        Assert.Equal(0, _server.TotalRequests);
    }

    [Fact]
    public void Plain_http_is_refused_without_allow_http()
    {
        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        var error = Assert.Throws<DarknetException>(() =>
            ConfigDownload.Get(_cache.Path, _server.Url("cfg/net.cfg"), Settings(allowHttp: false), CancellationToken.None));

        Assert.Equal(BuildErrorCodes.HttpRefused, error.Code);
        Assert.Equal(0, _server.TotalRequests);
    }

    [Fact]
    public void Http_errors_and_html_pages_are_coded_and_nothing_is_cached()
    {
        _server.SendHtml("cfg/page.cfg");
        var missing = Assert.Throws<DarknetException>(() =>
            ConfigDownload.Get(_cache.Path, _server.Url("cfg/missing.cfg"), Settings(), CancellationToken.None));
        var html = Assert.Throws<DarknetException>(() =>
            ConfigDownload.Get(_cache.Path, _server.Url("cfg/page.cfg"), Settings(), CancellationToken.None));

        Assert.Equal(BuildErrorCodes.HttpStatus, missing.Code);
        Assert.Contains("404", missing.Message);
        Assert.Equal(BuildErrorCodes.HtmlPage, html.Code);
        var configs = Path.Combine(_cache.Path, "configs");
        Assert.Empty(Directory.Exists(configs) ? Directory.GetFiles(configs, "*", SearchOption.AllDirectories) : Array.Empty<string>());
    }
}
