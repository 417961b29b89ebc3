using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// The README's loopback mirror ("Try it offline"), its shell lines run as written in a project's folder: Python's
/// http.server on 127.0.0.1 serving a copy of yolov3-tiny.weights, and `dotnet build -p:DarknetMirror=…`. The copy is
/// synthetic, so the item pins its SHA-256, as the README says a copy that is not the published file needs.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReadmeMirrorRecipeTests
{
    private readonly EndToEndFixture _fixture;

    public ReadmeMirrorRecipeTests(EndToEndFixture fixture) => _fixture = fixture;

    [Fact]
    public void The_loopback_mirror_recipe_builds_a_built_in_model_from_the_served_copy()
    {
        var readme = File.ReadAllText(Path.Combine(PackedPackage.RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        var recipe = Regex.Matches(readme, @"```sh\n(?<code>.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups["code"].Value).Single(c => c.Contains("http.server", StringComparison.Ordinal));
        Assert.Contains("/path/to/yolov3-tiny.weights", recipe);
        Assert.Contains("8000", recipe);

        var cache = _fixture.NewDirectory("recipe-cache");
        var app = _fixture.CreateProject("RecipeApp", cache, $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""");
        var copy = Path.Combine(_fixture.NewDirectory("recipe-download"), "yolov3-tiny.weights");
        File.WriteAllBytes(copy, _fixture.Tiny.Bytes);
        var script = "set -e\ncd '" + app.Directory + "'\n" +
                     recipe.Replace("/path/to/yolov3-tiny.weights", copy).Replace("8000", FreePort().ToString()).Replace(" &\n", " &\ntrap 'kill $!' EXIT\n");
        var run = ProcessRun.Run("/bin/bash", new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = _fixture.PackagesDirectory,
            ["DARKNET_CACHE_DIR"] = cache,
            ["MSBUILDDISABLENODEREUSE"] = "1",
        }, "-c", script);

        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains("Downloaded yolov3-tiny.weights", run.Output);
        Assert.Equal(Darknet.Weights.Models.ModelCatalog.Find("yolov3-tiny")!.LayerNames, NumpyLayerNames(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
