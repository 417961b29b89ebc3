using Darknet.Build.Download;
using Xunit;

namespace Darknet.Build.Tests.Download;

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
}
