using Darknet.Cache.Download;
using Xunit;

namespace Darknet.Build.Tests.Cache.Download;

public sealed class EnvironmentProxyTests
{
    [Fact]
    public void Picks_the_proxy_by_scheme_and_honours_no_proxy()
    {
        var proxy = new EnvironmentProxy("http://plain:3128", "proxy.example:8080", "internal.example, .corp.example,localhost");

        Assert.Equal(new Uri("http://proxy.example:8080/"), proxy.GetProxy(new Uri("https://github.com/x")));
        Assert.Equal(new Uri("http://plain:3128/"), proxy.GetProxy(new Uri("http://pjreddie.com/x")));
        Assert.True(proxy.IsBypassed(new Uri("https://internal.example/x")));
        Assert.True(proxy.IsBypassed(new Uri("https://a.corp.example/x")));
        Assert.True(proxy.IsBypassed(new Uri("http://127.0.0.1:5000/x")));
        Assert.False(proxy.IsBypassed(new Uri("https://notinternal.example/x")));
    }

    [Fact]
    public void Https_falls_back_to_the_http_proxy()
    {
        var proxy = new EnvironmentProxy("http://plain:3128", null, null);

        Assert.Equal(new Uri("http://plain:3128/"), proxy.GetProxy(new Uri("https://github.com/x")));
    }
}
