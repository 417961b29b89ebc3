using System.Runtime.InteropServices;
using Darknet.Cache;
using Xunit;

namespace Darknet.Build.Tests.Cache;

public sealed class CacheLocationTests
{
    [SkippableFact]
    public void Override_is_used_when_the_environment_variable_is_absent()
    {
        Skip.IfNot(string.IsNullOrEmpty(Environment.GetEnvironmentVariable(CacheLocation.EnvironmentVariable)), "DARKNET_CACHE_DIR is set here");
        var dir = Path.Combine(Path.GetTempPath(), "some-cache");

        Assert.Equal(dir, CacheLocation.Resolve(dir));
        Assert.Equal(CacheLocation.PlatformDefault(), CacheLocation.Resolve(null));
    }

    [Fact]
    public void Platform_default_follows_the_platform_convention()
    {
        var root = CacheLocation.PlatformDefault();
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            Assert.EndsWith(Path.Combine("Darknet.Build"), root);
            return;
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var expected = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? Path.Combine(xdg, "darknet-build")
            : Path.Combine(Environment.GetEnvironmentVariable("HOME")!, ".cache", "darknet-build");
        Assert.Equal(expected, root);
    }
}
