using Darknet.Build.Tests.EndToEnd;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Adoption;

/// <summary>
/// The command `dotnet tool install` gives a user (on linux-x64 the native AOT build, compiled apart from everything else
/// the tests run) does what the portable build beside these tests does: the same bytes from every writer, the same
/// reading of them, and cache entries that either build reads.
/// </summary>
[Collection(CleanCloneCollection.Name)]
public sealed class InstalledToolTests
{
    private readonly CleanClone _clone;

    public InstalledToolTests(CleanClone clone) => _clone = clone;

    private static readonly string Portable = Path.Combine(AppContext.BaseDirectory, "darknet.dll");

    [Fact]
    public void It_writes_and_reads_every_format_as_the_portable_build_does()
    {
        var root = _clone.NewDirectory("installed-convert");
        var tool = _clone.InstallTool(root);
        var model = Path.Combine(_clone.Repo, "samples", "HelloDarknet", "model");
        var convert = new[] { "convert", "--cfg", Path.Combine(model, "hello.cfg"), "--weights", Path.Combine(model, "hello.weights") };

        foreach (var format in new[] { "npy", "npz", "safetensors", "onnx" })
        {
            var installed = Path.Combine(root, "installed." + format);
            var portable = Path.Combine(root, "portable." + format);
            var a = ProcessRun.Run(tool, convert.Concat(new[] { "--format", format, "--out", installed }).ToArray());
            var b = ProcessRun.Run("dotnet", new[] { "exec", Portable }.Concat(convert).Concat(new[] { "--format", format, "--out", portable }).ToArray());
            Assert.True(a.Exit == 0, a.ToString());
            Assert.True(b.Exit == 0, b.ToString());
            Assert.Equal(File.ReadAllBytes(portable), File.ReadAllBytes(installed));
        }

        var inspected = ProcessRun.Run(tool, "inspect", Path.Combine(root, "installed.npy"));
        var expected = ProcessRun.Run("dotnet", "exec", Portable, "inspect", Path.Combine(root, "installed.npy"));
        Assert.True(inspected.Exit == 0, inspected.ToString());
        Assert.Equal(expected.Stdout.Replace(Portable, "darknet"), inspected.Stdout);
        Assert.Contains("conv_1", inspected.Stdout);
    }

    [Fact]
    public void It_fetches_into_a_cache_that_the_portable_build_reads()
    {
        var root = _clone.NewDirectory("installed-fetch");
        var tool = _clone.InstallTool(root);
        using var server = new WeightsServer();
        var tiny = SyntheticWeights.ForBuiltIn("yolov3-tiny");
        server.Serve("m/" + tiny.FileName, tiny.Bytes);
        var cache = Path.Combine(root, "cache");
        var noCache = new Dictionary<string, string?> { ["DARKNET_CACHE_DIR"] = null };

        var fetch = ProcessRun.Run(tool, noCache, "fetch", "yolov3-tiny", "--cache", cache, "--mirror", server.Url("m/"), "--sha256", tiny.Sha256);

        Assert.True(fetch.Exit == 0, fetch.ToString());
        Assert.Equal(1, server.RequestCount("m/" + tiny.FileName));
        var entry = Path.Combine(cache, "weights", "sha256-" + tiny.Sha256, tiny.FileName);
        Assert.Equal(tiny.Bytes, File.ReadAllBytes(entry));
        var verify = ProcessRun.Run(tool, noCache, "cache", "verify", "--cache", cache);
        Assert.True(verify.Exit == 0, verify.ToString());
        var list = ProcessRun.Run("dotnet", noCache, "exec", Portable, "cache", "list", "--cache", cache);
        Assert.True(list.Exit == 0, list.ToString());
        Assert.Contains(Path.Combine("weights", "sha256-" + tiny.Sha256, tiny.FileName), list.Stdout);
        var again = ProcessRun.Run("dotnet", noCache, "exec", Portable, "fetch", "yolov3-tiny", "--cache", cache, "--mirror", server.Url("m/"), "--sha256", tiny.Sha256);
        Assert.True(again.Exit == 0, again.ToString());
        Assert.Contains("is in the cache already", again.Stdout);
        Assert.Equal(1, server.RequestCount("m/" + tiny.FileName));
    }
}
