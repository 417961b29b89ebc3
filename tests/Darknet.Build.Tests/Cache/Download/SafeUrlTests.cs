using Darknet.Cache.Download;
using Xunit;

namespace Darknet.Build.Tests.Cache.Download;

public class SafeUrlTests
{
    [Theory]
    [InlineData("https://alice:s3cret@host.example/w/yolov3.weights", "https://***@host.example/w/yolov3.weights", "https://host.example/w/yolov3.weights")]
    [InlineData("https://token@host.example:8443/a?b=c", "https://***@host.example:8443/a?b=c", "https://host.example:8443/a?b=c")]
    [InlineData("http://u:p%40ss@127.0.0.1:1234/x.cfg", "http://***@127.0.0.1:1234/x.cfg", "http://127.0.0.1:1234/x.cfg")]
    [InlineData("https://host.example/a@b/c.weights", "https://host.example/a@b/c.weights", "https://host.example/a@b/c.weights")]
    [InlineData("https://host.example/plain.weights", "https://host.example/plain.weights", "https://host.example/plain.weights")]
    [InlineData("not a url", "not a url", "not a url")]
    public void Credentials_never_survive(string url, string redacted, string bare)
    {
        Assert.Equal(redacted, SafeUrl.Redact(url));
        Assert.Equal(bare, SafeUrl.WithoutCredentials(url));
        Assert.DoesNotContain("s3cret", SafeUrl.Redact(url));
    }

    [Theory]
    [InlineData("https://a:s3cret@h.example/x;https://b:hunter2@h2.example/y", "https://***@h.example/x;https://***@h2.example/y")]
    [InlineData("Could not fetch 'https://a:s3cret@h.example/x.cfg': 404", "Could not fetch 'https://***@h.example/x.cfg': 404")]
    [InlineData("name|https://me:${TOKEN}@h.example/n.weights|", "name|https://***@h.example/n.weights|")]
    [InlineData("https://h.example/a@b and mail@example.org", "https://h.example/a@b and mail@example.org")]
    public void Text_holding_urls_keeps_no_credentials(string text, string redacted) =>
        Assert.Equal(redacted, SafeUrl.RedactText(text));
}
