using System.Text;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Cache.Download;

/// <summary>
/// Issue 9 Must 7: which Authorization goes where. The decision on its own (URL credentials, then DARKNET_MIRROR_TOKEN for
/// the mirror's origin, then .netrc), and through real HTTP to the loopback server (401s, redirects to another origin).
/// </summary>
public sealed class RequestCredentialsTests : IDisposable
{
    private const string Token = "tok-4f1e-unit";
    private const string File = "net.weights";
    private readonly TempDirectory _temp = new();
    private readonly WeightsServer _server = new();
    private readonly byte[] _content = SeededBytes.Create(200_000, seed: 5);

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private string NetrcFile(string text)
    {
        var path = _temp.Combine("netrc-" + Guid.NewGuid().ToString("N"));
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static string Basic(string login, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(login + ":" + password));

    private static string? HeaderFor(RequestCredentials credentials, string url, string? request = null) =>
        credentials.For(SourceUrl.Parse(url), new Uri(request ?? SafeUrl.WithoutCredentials(url)))?.Header.ToString();

    [Fact]
    public void The_token_goes_to_the_mirrors_scheme_host_and_port_only()
    {
        var credentials = new RequestCredentials("https://mirror.example.org/darknet/", Token, null);

        Assert.Equal("Bearer " + Token, HeaderFor(credentials, "https://mirror.example.org/darknet/yolov3.weights"));
        Assert.Equal("Bearer " + Token, HeaderFor(credentials, "https://MIRROR.example.org:443/other/path.cfg"));   // any path of that origin
        Assert.Null(HeaderFor(credentials, "http://mirror.example.org/darknet/yolov3.weights"));                  // another scheme
        Assert.Null(HeaderFor(credentials, "https://mirror.example.org:8443/darknet/yolov3.weights"));            // another port
        Assert.Null(HeaderFor(credentials, "https://cdn.mirror.example.org/darknet/yolov3.weights"));             // another host
        Assert.Null(HeaderFor(credentials, "https://pjreddie.com/media/files/yolov3.weights"));
        Assert.Null(HeaderFor(new RequestCredentials(null, Token, null), "https://mirror.example.org/darknet/yolov3.weights"));
        Assert.Null(HeaderFor(new RequestCredentials("https://mirror.example.org/darknet/", "  ", null), "https://mirror.example.org/darknet/yolov3.weights"));
    }

    [Fact]
    public void A_token_with_a_line_break_inside_is_a_coded_error_without_its_value_and_surrounding_whitespace_is_trimmed()
    {
        var broken = new RequestCredentials("https://mirror.example.org/", "tok-part-1\ntok-part-2", null);
        var error = Assert.Throws<DarknetException>(() => HeaderFor(broken, "https://mirror.example.org/x.weights"));

        Assert.Equal(ErrorCodes.BadMirrorToken, error.Code);
        Assert.DoesNotContain("tok-part", error.Message);
        Assert.Null(HeaderFor(broken, "https://elsewhere.example.org/x.weights"));   // only the mirror's requests need it
        Assert.Equal("Bearer " + Token, HeaderFor(new RequestCredentials("https://mirror.example.org/", " " + Token + "\r\n", null), "https://mirror.example.org/x"));
    }

    [Fact]
    public void URL_credentials_come_first_and_only_for_their_own_origin()
    {
        var netrc = NetrcFile("machine mirror.example.org login n password np\nmachine cdn.example.org login c password cp\n");
        var credentials = new RequestCredentials("https://mirror.example.org/", Token, netrc);
        const string url = "https://u:p@mirror.example.org/net.weights";

        Assert.Equal(Basic("u", "p"), HeaderFor(credentials, url));
        // A hop to another origin: the URL's credentials stay behind; that host's own .netrc entry applies.
        Assert.Equal(Basic("c", "cp"), HeaderFor(credentials, url, "https://cdn.example.org/signed?x=1"));
        Assert.Null(HeaderFor(credentials, url, "https://s3.example.com/bucket/net.weights"));
    }

    [Fact]
    public void Netrc_gives_each_host_its_own_entry_and_default_the_rest_and_the_token_wins_on_the_mirror()
    {
        var netrc = NetrcFile("machine models.example.org login alice password a1\ndefault login anon password guest\n");
        var credentials = new RequestCredentials("https://mirror.example.org/", Token, netrc);

        Assert.Equal(Basic("alice", "a1"), HeaderFor(credentials, "https://models.example.org/x.weights"));
        Assert.Equal(Basic("alice", "a1"), HeaderFor(credentials, "http://models.example.org:8080/x.weights"));   // netrc matches the host, any port
        Assert.Equal(Basic("anon", "guest"), HeaderFor(credentials, "https://other.example.net/x.weights"));
        Assert.Equal("Bearer " + Token, HeaderFor(credentials, "https://mirror.example.org/x.weights"));
        Assert.Equal(Basic("anon", "guest"), HeaderFor(new RequestCredentials("https://mirror.example.org/", null, netrc), "https://mirror.example.org/x.weights"));
        Assert.Null(HeaderFor(new RequestCredentials(null, null, _temp.Combine("no-such-netrc")), "https://models.example.org/x.weights"));
    }

    [Fact]
    public void Descriptions_and_hints_name_the_kind_and_file_never_the_secret()
    {
        var netrc = NetrcFile("machine models.example.org login alice password s3cr3t-pw\n");
        var credentials = new RequestCredentials("https://mirror.example.org/", Token, netrc);
        var mirrorUrl = new Uri("https://mirror.example.org/x.weights");
        var modelsUrl = new Uri("https://models.example.org/x.weights");

        var bearer = credentials.For(SourceUrl.Parse(mirrorUrl.AbsoluteUri), mirrorUrl)!;
        var basic = credentials.For(SourceUrl.Parse(modelsUrl.AbsoluteUri), modelsUrl)!;
        var texts = new[]
        {
            bearer.Source, basic.Source, credentials.Hint(mirrorUrl, bearer, 401), credentials.Hint(modelsUrl, basic, 403),
            new RequestCredentials("https://mirror.example.org/", null, netrc).Hint(mirrorUrl, null, 401),
            credentials.Hint(new Uri("https://else.example.org/x"), null, 401),
        };

        Assert.All(texts, text => Assert.DoesNotContain(Token, text));
        Assert.All(texts, text => Assert.DoesNotContain("s3cr3t", text));
        Assert.Contains("DARKNET_MIRROR_TOKEN", bearer.Source);
        Assert.Contains("alice", basic.Source);
        Assert.Contains(netrc, basic.Source);
        Assert.Contains("Set the environment variable DARKNET_MIRROR_TOKEN", texts[4]);
        Assert.Contains("machine else.example.org login", texts[5]);
        Assert.Contains("sent only to $(DarknetMirror)'s host, https://mirror.example.org", texts[5]);
    }

    private static DownloadOptions Options(RequestCredentials credentials, string? mirror = null) => new()
    {
        Mirror = mirror,
        InitialRetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        AllowHttp = true,
        Credentials = credentials,
    };

    private static WeightsDownloader Downloader(RequestCredentials credentials, string? mirror = null, List<string>? log = null) =>
        new(Options(credentials, mirror), log == null ? SilentLog.Instance : new RecordingLog(log.Add, p => log.Add(p.ToString())));

    private WeightsRequest Request(string url) => new(File, _content.Length, new[] { url }, sha256: SeededBytes.Sha256(_content));

    [Fact]
    public async Task A_mirror_that_answers_401_without_the_token_serves_the_file_with_it()
    {
        _server.Serve("m/" + File, _content);
        _server.RequireAuthorization("m/" + File, "Bearer " + Token);
        var mirror = _server.Url("m/");
        var request = Request("https://pjreddie.com/unused/" + File);

        var withoutToken = await Assert.ThrowsAsync<DarknetException>(() =>
            new WeightsDownloader(Options(new RequestCredentials(mirror, null, null), mirror)).DownloadAsync(request, _temp.Combine("a")));
        Assert.Equal(ErrorCodes.AccessDenied, withoutToken.Code);
        Assert.Contains("HTTP 401", withoutToken.Message);
        Assert.Contains("No credentials were sent. Set the environment variable DARKNET_MIRROR_TOKEN", withoutToken.Message);
        Assert.Equal(1, _server.RequestCount("m/" + File));   // a 401 is not retried

        var wrong = await Assert.ThrowsAsync<DarknetException>(() =>
            new WeightsDownloader(Options(new RequestCredentials(mirror, "wr0ng-tok", null), mirror)).DownloadAsync(request, _temp.Combine("b")));
        Assert.Equal(ErrorCodes.AccessDenied, wrong.Code);
        Assert.Contains("refused the bearer token in DARKNET_MIRROR_TOKEN", wrong.Message);
        Assert.DoesNotContain("wr0ng-tok", wrong.Message);

        var log = new List<string>();
        await Downloader(new RequestCredentials(mirror, Token, null), mirror, log).DownloadAsync(request, _temp.Combine("c"));
        Assert.Equal(_content, System.IO.File.ReadAllBytes(_temp.Combine("c")));
        Assert.Equal("Bearer " + Token, _server.Requests.Last().Authorization);
        Assert.All(log, line => Assert.DoesNotContain(Token, line));
    }

    [Fact]
    public async Task The_token_stays_behind_when_the_mirror_redirects_to_another_origin()
    {
        using var storage = new WeightsServer();
        storage.Serve("blob/" + File, _content);
        _server.Redirect("m/" + File, storage.Url("blob/" + File) + "?X-Signature=abc", status: 302);
        var mirror = _server.Url("m/");

        await new WeightsDownloader(Options(new RequestCredentials(mirror, Token, null), mirror))
            .DownloadAsync(Request("https://unused.example.org/" + File), _temp.Combine("d"));

        Assert.Equal(_content, System.IO.File.ReadAllBytes(_temp.Combine("d")));
        Assert.Equal("Bearer " + Token, _server.Requests.Single().Authorization);
        Assert.Null(storage.Requests.Single().Authorization);
    }

    [Fact]
    public async Task Netrc_credentials_go_to_their_host_only_and_a_refused_login_is_named_without_its_password()
    {
        _server.Serve("n/" + File, _content);
        _server.RequireAuthorization("n/" + File, Basic("ci", "n3trc-pw"));
        _server.Serve("open/" + File, _content);
        var netrc = NetrcFile("machine localhost login ci password n3trc-pw\n");
        var credentials = new RequestCredentials(null, null, netrc);
        var viaLocalhost = "http://localhost:" + _server.Port + "/n/" + File;
        var via127 = "http://127.0.0.1:" + _server.Port + "/open/" + File;

        await new WeightsDownloader(Options(credentials)).DownloadAsync(Request(viaLocalhost), _temp.Combine("e"));
        await new WeightsDownloader(Options(credentials)).DownloadAsync(Request(via127), _temp.Combine("f"));

        Assert.Equal(Basic("ci", "n3trc-pw"), _server.Requests.Single(r => r.Path == "n/" + File).Authorization);
        Assert.Null(_server.Requests.Single(r => r.Path == "open/" + File).Authorization);

        var refused = await Assert.ThrowsAsync<DarknetException>(() =>
            new WeightsDownloader(Options(new RequestCredentials(null, null, NetrcFile("machine localhost login ci password old-pw\n"))))
                .DownloadAsync(Request(viaLocalhost), _temp.Combine("g")));
        Assert.Equal(ErrorCodes.AccessDenied, refused.Code);
        Assert.Contains("refused the login 'ci' of the machine localhost entry in ", refused.Message);
        Assert.DoesNotContain("old-pw", refused.Message);
    }
}
