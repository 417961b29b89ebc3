using System.Net;
using Darknet.Cache.Download;
using Xunit;

namespace Darknet.Build.Tests.Cache.Download;

/// <summary>Issue 19 Must 1: a build's proxy comes from its own variables, and a client is shared only between equal proxy settings.</summary>
public sealed class ProxyConfigurationTests
{
    private static ProxyConfiguration From(Dictionary<string, string> variables) =>
        ProxyConfiguration.From(name => variables.TryGetValue(name, out var value) ? value : null);

    [Fact]
    public void The_proxy_and_its_url_credentials_come_from_the_given_variables()
    {
        var proxy = From(new() { ["HTTP_PROXY"] = "http://alice:ALICE%40PW@127.0.0.1:18090" }).CreateProxy()!;
        var target = new Uri("http://weights.example/yolov3.weights");

        Assert.Equal(new Uri("http://127.0.0.1:18090/"), proxy.GetProxy(target));
        var credential = proxy.Credentials!.GetCredential(new Uri("http://127.0.0.1:18090/"), "Basic")!;
        Assert.Equal("alice", credential.UserName);
        Assert.Equal("ALICE@PW", credential.Password);
        Assert.Null(proxy.Credentials.GetCredential(new Uri("http://127.0.0.1:18091/"), "Basic"));
    }

    [Fact]
    public void No_variable_means_no_proxy_and_lower_case_names_count()
    {
        Assert.Null(From(new()).CreateProxy());
        Assert.NotNull(From(new() { ["https_proxy"] = "127.0.0.1:3128" }).CreateProxy());
    }

    [Fact]
    public void A_client_is_shared_only_between_builds_with_the_same_proxy_settings()
    {
        var alice = From(new() { ["HTTP_PROXY"] = "http://alice:pw@127.0.0.1:18090" });
        var aliceAgain = From(new() { ["HTTP_PROXY"] = "http://alice:pw@127.0.0.1:18090" });
        var bob = From(new() { ["HTTP_PROXY"] = "http://127.0.0.1:18091" });
        var none = From(new());

        Assert.Same(HttpClientPool.For(alice), HttpClientPool.For(aliceAgain));
        Assert.NotSame(HttpClientPool.For(alice), HttpClientPool.For(bob));
        Assert.NotSame(HttpClientPool.For(alice), HttpClientPool.For(none));
        Assert.NotSame(HttpClientPool.For(bob), HttpClientPool.For(none));
    }
}
