using System.Text;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Cache;

/// <summary>
/// Config="https://…/net.cfg": fetched once with the weights' rules (stall timeout, retries, size cap, no HTML),
/// cached by content once it parses, then read from there (offline too).
/// </summary>
public sealed class ConfigSourceTests : IDisposable
{
    private const string Cfg = "[net]\nwidth=8\nheight=8\nchannels=3\n\n[convolutional]\nfilters=4\nsize=1\nstride=1\npad=1\nactivation=linear\n";
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _cache = new();

    public void Dispose()
    {
        _server.Dispose();
        _cache.Dispose();
    }

    private static (DownloadOptions Download, bool Offline) Settings(bool allowHttp = true, bool offline = false) =>
        (new DownloadOptions { AllowHttp = allowHttp }, offline);

    private string Get(string url, (DownloadOptions Download, bool Offline) settings) =>
        new ConfigSource(new MachineCache(_cache.Path), settings.Download, settings.Offline, SilentLog.Instance).Load(url, SafeUrl.Redact(url), CancellationToken.None).Text;

    private string[] CachedFiles()
    {
        var configs = Path.Combine(_cache.Path, "configs");
        return Directory.Exists(configs) ? Directory.GetFiles(configs, "*", SearchOption.AllDirectories) : Array.Empty<string>();
    }

    [Fact]
    public void A_config_url_is_fetched_once_and_then_read_from_the_cache_even_offline()
    {
        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        var url = _server.Url("cfg/net.cfg");

        Assert.Equal(Cfg, Get(url, Settings()));
        Assert.Equal(Cfg, Get(url, Settings()));
        Assert.Equal(Cfg, Get(url, Settings(offline: true)));

        Assert.Equal(1, _server.RequestCount("cfg/net.cfg"));
        // Keyed by content: configs/sha256-<hex of the bytes>/net.cfg, plus the URL's index line.
        var key = "sha256-" + SeededBytes.Sha256(Encoding.UTF8.GetBytes(Cfg));
        Assert.Equal(Cfg, File.ReadAllText(Path.Combine(_cache.Path, "configs", key, "net.cfg")));
        Assert.Single(CachedFiles(), f => Path.GetFileName(f) == "net.cfg");
    }

    [Fact]
    public void A_config_url_whose_server_never_answers_fails_with_the_stall_code_in_bounded_time()
    {
        _server.Hang("cfg/net.cfg");
        var settings = Settings();
        settings.Download.StallTimeout = TimeSpan.FromSeconds(1);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<DarknetException>(() => Get(_server.Url("cfg/net.cfg"), settings));

        Assert.Equal(ErrorCodes.Stalled, error.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "took " + clock.Elapsed);
        Assert.Equal(new DownloadOptions().MaxAttemptsPerUrl, _server.RequestCount("cfg/net.cfg"));
        Assert.Empty(CachedFiles());
    }

    [Fact]
    public void A_config_url_is_retried_after_a_503()
    {
        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        _server.FailNext("cfg/net.cfg", 1, 503);

        Assert.Equal(Cfg, Get(_server.Url("cfg/net.cfg"), Settings()));
        Assert.Equal(2, _server.RequestCount("cfg/net.cfg"));
    }

    /// <summary>1 GB behind a Config URL: refused from its Content-Length, or after 4 MiB when it announces none; never read whole.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_one_gigabyte_config_url_is_refused_after_four_mebibytes(bool announced)
    {
        const long gigabyte = 1L << 30;
        _server.Serve("cfg/huge.cfg", () => new RepeatingStream(gigabyte), gigabyte, "text/plain");
        if (!announced) _server.OmitLength("cfg/huge.cfg");

        var error = Assert.Throws<DarknetException>(() => Get(_server.Url("cfg/huge.cfg"), Settings()));

        Assert.Equal(ErrorCodes.MalformedCfg, error.Code);
        Assert.Contains("not a cfg", error.Message);
        Assert.True(_server.BodyBytesSent("cfg/huge.cfg") < 64L << 20, "the server sent " + _server.BodyBytesSent("cfg/huge.cfg") + " bytes");
        Assert.Empty(CachedFiles());
    }

    [Fact]
    public void A_binary_config_url_is_refused()
    {
        _server.Serve("cfg/net.weights", new byte[] { (byte)'[', 0, 0, 0, 1, 2, 3 });

        var error = Assert.Throws<DarknetException>(() => Get(_server.Url("cfg/net.weights"), Settings()));

        Assert.Equal(ErrorCodes.MalformedCfg, error.Code);
        Assert.Contains("NUL", error.Message);
    }

    /// <summary>An answer that does not parse is not cached: the next build asks again and gets the fixed file.</summary>
    [Fact]
    public void Garbage_is_not_cached_and_is_asked_again()
    {
        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes("Service temporarily unavailable, try later\n"), "text/plain");
        var url = _server.Url("cfg/net.cfg");

        var error = Assert.Throws<DarknetException>(() => Get(url, Settings()));
        Assert.StartsWith("DKN1", error.Code);
        Assert.Empty(CachedFiles());

        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        Assert.Equal(Cfg, Get(url, Settings()));
        Assert.Equal(2, _server.RequestCount("cfg/net.cfg"));
    }

    [Fact]
    public void A_damaged_cached_config_is_fetched_again()
    {
        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        var url = _server.Url("cfg/net.cfg");
        Get(url, Settings());
        var cached = CachedFiles().Single(f => Path.GetFileName(f) == "net.cfg");
        File.WriteAllText(cached, Cfg.Replace("filters=4", "filters=5"));

        Assert.Equal(Cfg, Get(url, Settings()));
        Assert.Equal(2, _server.RequestCount("cfg/net.cfg"));
    }

    [Fact]
    public void Config_url_credentials_go_to_the_server_only_and_into_no_message_or_cache_path()
    {
        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        var url = "http://alice:s3cret@127.0.0.1:" + _server.Port + "/cfg/net.cfg";

        Assert.Equal(Cfg, Get(url, Settings()));
        var missing = Assert.Throws<DarknetException>(() =>
            Get("http://alice:s3cret@127.0.0.1:" + _server.Port + "/cfg/missing.cfg", Settings()));

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret")), _server.Requests[0].Authorization);
        Assert.DoesNotContain("s3cret", missing.Message);
        Assert.Contains("***@", missing.Message);
        Assert.All(CachedFiles(), f =>
        {
            Assert.DoesNotContain("s3cret", f);
            Assert.DoesNotContain("s3cret", File.ReadAllText(f));
        });
    }

    [Fact]
    public void Offline_miss_names_the_path_to_place_the_config_at()
    {
        var url = _server.Url("cfg/net.cfg");
        var error = Assert.Throws<DarknetException>(() => Get(url, Settings(offline: true)));

        Assert.Equal(ErrorCodes.OfflineMiss, error.Code);
        Assert.Contains(Path.Combine(_cache.Path, "configs"), error.Message);
        Assert.Equal(0, _server.TotalRequests);
    }

    [Fact]
    public void Plain_http_is_refused_without_allow_http()
    {
        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        var error = Assert.Throws<DarknetException>(() =>
            Get(_server.Url("cfg/net.cfg"), Settings(allowHttp: false)));

        Assert.Equal(ErrorCodes.HttpRefused, error.Code);
        Assert.Equal(0, _server.TotalRequests);
    }

    [Fact]
    public void Http_errors_and_html_pages_are_coded_and_nothing_is_cached()
    {
        _server.SendHtml("cfg/page.cfg");
        var missing = Assert.Throws<DarknetException>(() =>
            Get(_server.Url("cfg/missing.cfg"), Settings()));
        var html = Assert.Throws<DarknetException>(() =>
            Get(_server.Url("cfg/page.cfg"), Settings()));

        Assert.Equal(ErrorCodes.HttpStatus, missing.Code);
        Assert.Contains("404", missing.Message);
        Assert.Equal(ErrorCodes.HtmlPage, html.Code);
        var configs = Path.Combine(_cache.Path, "configs");
        Assert.Empty(Directory.Exists(configs) ? Directory.GetFiles(configs, "*", SearchOption.AllDirectories) : Array.Empty<string>());
    }
}

/// <summary>A read-only stream of <c>length</c> bytes of cfg-looking text, generated as read (nothing held in memory).</summary>
internal sealed class RepeatingStream : Stream
{
    private static readonly byte[] Pattern = Encoding.ASCII.GetBytes("# a comment line that goes on and on\n");
    private readonly long _length;
    private long _position;

    public RepeatingStream(long length) => _length = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, _length - _position);
        for (var i = 0; i < n; i++) buffer[offset + i] = Pattern[(_position + i) % Pattern.Length];
        _position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
