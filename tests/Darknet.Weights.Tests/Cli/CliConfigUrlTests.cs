using System.Text;
using Darknet.Weights;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Cli;

/// <summary>
/// <c>darknet convert|inspect --cfg URL</c> read the Config the way a build does (Darknet.Cache's ConfigSource), against
/// the loopback server: fetched once into the machine cache, then read from there; and <c>darknet cache list</c> shows
/// the cached cfg, not the URL index beside it.
/// </summary>
public sealed class CliConfigUrlTests : IDisposable
{
    private const string Cfg = "[net]\nwidth=8\nheight=8\nchannels=3\n\n[convolutional]\nfilters=4\nsize=1\nstride=1\npad=1\nactivation=linear\n";
    private readonly WeightsServer _server = new();
    private readonly TempDirectory _dir = new();

    public CliConfigUrlTests()
    {
        _server.Serve("cfg/net.cfg", Encoding.UTF8.GetBytes(Cfg), "text/plain");
        File.WriteAllText(_dir.Combine("net.cfg"), Cfg);
        // The 20-byte header, then 4 biases and 4 x 3 weights.
        var weights = new byte[20 + (4 + 12) * 4];
        weights[4] = 2;
        for (var i = 0; i < 16; i++) BitConverter.TryWriteBytes(weights.AsSpan(20 + i * 4, 4), 0.25f * (i - 8));
        File.WriteAllBytes(_dir.Combine("net.weights"), weights);
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }

    private string Cache => _dir.Combine("cache");

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = Darknet.Cli.Program.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Convert_fetches_a_cfg_url_once_and_writes_what_the_local_cfg_gives()
    {
        var url = _server.Url("cfg/net.cfg");
        var local = Run("convert", "--cfg", _dir.Combine("net.cfg"), "--weights", _dir.Combine("net.weights"), "--out", _dir.Combine("local.npy"));
        var first = Run("convert", "--cfg", url, "--weights", _dir.Combine("net.weights"), "--out", _dir.Combine("first.npy"), "--cache", Cache, "--allow-http");
        var second = Run("convert", "--cfg", url, "--weights", _dir.Combine("net.weights"), "--out", _dir.Combine("second.npy"), "--cache", Cache, "--allow-http");

        Assert.True(local.Exit == 0, local.Stderr);
        Assert.True(first.Exit == 0, first.Stderr);
        Assert.True(second.Exit == 0, second.Stderr);
        Assert.Equal(1, _server.RequestCount("cfg/net.cfg"));
        Assert.Equal(File.ReadAllBytes(_dir.Combine("local.npy")), File.ReadAllBytes(_dir.Combine("first.npy")));
        Assert.Equal(File.ReadAllBytes(_dir.Combine("local.npy")), File.ReadAllBytes(_dir.Combine("second.npy")));
    }

    [Fact]
    public void Convert_refuses_a_plain_http_cfg_url_without_allow_http()
    {
        var run = Run("convert", "--cfg", _server.Url("cfg/net.cfg"), "--weights", _dir.Combine("net.weights"), "--out", _dir.Combine("a.npy"), "--cache", Cache);

        Assert.Equal(1, run.Exit);
        Assert.Contains(ErrorCodes.HttpRefused, run.Stderr);
        Assert.Equal(0, _server.TotalRequests);
        Assert.False(File.Exists(_dir.Combine("a.npy")));
    }

    [Fact]
    public void Inspect_prints_the_network_of_a_cfg_url_as_of_the_local_file()
    {
        var local = Run("inspect", "--cfg", _dir.Combine("net.cfg"));
        var remote = Run("inspect", "--cfg", _server.Url("cfg/net.cfg"), "--cache", Cache, "--allow-http");

        Assert.True(remote.Exit == 0, remote.Stderr);
        // The first line names the network by where it came from; the rest is the network itself.
        Assert.StartsWith(_server.Url("cfg/net.cfg") + ": input 8x8x3", remote.Stdout);
        Assert.Equal(local.Stdout.Substring(local.Stdout.IndexOf('\n')), remote.Stdout.Substring(remote.Stdout.IndexOf('\n')));
        Assert.Equal(1, _server.RequestCount("cfg/net.cfg"));
    }

    [Fact]
    public void Cache_list_shows_the_fetched_cfg_and_not_the_url_index()
    {
        Assert.Equal(0, Run("inspect", "--cfg", _server.Url("cfg/net.cfg"), "--cache", Cache, "--allow-http").Exit);
        Assert.Single(Directory.GetFiles(Path.Combine(Cache, "configs", "urls")));

        var list = Run("cache", "list", "--cache", Cache);

        Assert.True(list.Exit == 0, list.Stderr);
        var rows = list.Stdout.Split('\n').Where(l => l.StartsWith("configs", StringComparison.Ordinal)).ToList();
        var row = Assert.Single(rows);
        Assert.StartsWith(Path.Combine("configs", "sha256-"), row);
        Assert.Contains("net.cfg", row);
        Assert.Contains("1 files", list.Stdout);
    }
}
