using Darknet.Build.Tasks;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Xunit;

namespace Darknet.Build.Tests.Tasks;

/// <summary>What the acquire step asks the machine cache for: the catalog's file identity, or a pinned one.</summary>
public sealed class WeightsRequestForTests
{
    private static readonly string Pin = new('a', 64);

    private static ModelRequest BuiltIn(string name, string? sha256 = null, string? weightsUrl = null) => new()
    {
        Name = name,
        BuiltIn = ModelCatalog.Find(name)!,
        Sha256 = sha256,
        WeightsUrl = weightsUrl,
    };

    [Fact]
    public void A_built_in_is_verified_against_the_catalogs_size_and_sha1()
    {
        var yolov3 = ModelCatalog.Find("yolov3")!;
        var request = ModelAcquirer.WeightsRequestFor(BuiltIn("yolov3"), yolov3.Layout);

        Assert.Equal("yolov3.weights", request.FileName);
        Assert.Equal(248_007_048L, request.Size);
        Assert.Equal("520878f12e97cf820529daea502acca380f1cb8e", request.Sha1);
        Assert.Equal(new[] { "523e4e69e1d015393a1b0a441cef1d9c7659e3eb2d7e15f793f060a21b32f297" }, request.AcceptedSha256);
        // The upstream host first, then the mirror that still serves the file: the downloader falls back in this order.
        Assert.Equal(yolov3.Urls, request.Urls);
        Assert.StartsWith("https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v3_optimal/", request.Urls[1]);
    }

    [Fact]
    public void Sha256_on_a_built_in_pins_that_file_instead_of_the_catalogs_hash()
    {
        var yolov3 = ModelCatalog.Find("yolov3")!;
        var request = ModelAcquirer.WeightsRequestFor(BuiltIn("yolov3", sha256: Pin), yolov3.Layout);

        Assert.Equal(new[] { Pin }, request.AcceptedSha256);
        Assert.Null(request.Sha1);   // a private mirror's copy need not match the published SHA-1
        Assert.Equal(248_007_048L, request.Size);
        Assert.Equal(yolov3.Urls, request.Urls);
    }

    [Fact]
    public void WeightsUrl_on_a_built_in_replaces_the_catalogs_urls_and_keeps_its_identity()
    {
        var yolov3 = ModelCatalog.Find("yolov3")!;
        var request = ModelAcquirer.WeightsRequestFor(
            BuiltIn("yolov3", weightsUrl: "https://a.example/y.weights;https://b.example/y.weights"), yolov3.Layout);

        Assert.Equal(new[] { "https://a.example/y.weights", "https://b.example/y.weights" }, request.Urls);
        Assert.Equal("yolov3.weights", request.FileName);
        Assert.Equal("520878f12e97cf820529daea502acca380f1cb8e", request.Sha1);
    }

    [Theory]
    [InlineData("https://host.example/files/net-v2.weights", "mynet", "net-v2.weights")]
    [InlineData("https://host.example/", "mynet", "mynet.weights")]
    [InlineData("https://host.example", "mynet", "mynet.weights")]
    [InlineData("https://host.example/download?id=7", "mynet", "download")]
    [InlineData("https://host.example/a/b/", "mynet", "mynet.weights")]
    [InlineData("https://host.example/%2F", "models/mynet", "models_mynet.weights")]
    [InlineData("https://host.example/..%2F..%2Fetc%2Fpasswd", "m", "_.._etc_passwd")]
    [InlineData("https://host.example/%2E%2E", "m", "m.weights")]
    [InlineData("https://host.example/", "..", "model.weights")]
    [InlineData("https://host.example/", "models/mynet", "models_mynet.weights")]
    public void A_weights_url_without_a_usable_file_name_gets_one_from_the_model(string url, string model, string expected)
    {
        Assert.Equal(expected, ModelAcquirer.FileNameOf(url, model));
        Assert.Equal(expected, new Darknet.Cache.WeightsRequest(ModelAcquirer.FileNameOf(url, model), 10, new[] { url }).FileName);
    }

    [Fact]
    public void Yolov3_feat_downloads_the_whole_classifier_file()
    {
        var feat = ModelCatalog.Find("yolov3_feat")!;
        var request = ModelAcquirer.WeightsRequestFor(BuiltIn("yolov3_feat"), feat.Layout);

        Assert.Equal("darknet53_448.weights", request.FileName);
        Assert.Equal(ModelCatalog.Find("darknet53_448")!.WeightsSize, request.Size);
        Assert.Equal(52, BuiltIn("yolov3_feat").LayerLimit);
        Assert.Equal(52, new ModelRequest { BuiltIn = ModelCatalog.Find("darknet53")!, Layers = 52 }.LayerLimit);
    }

    [Fact]
    public void A_custom_network_takes_its_size_from_the_cfg_and_its_name_from_the_url()
    {
        var layout = NetworkLayout.FromCfg("[net]\nwidth=8\nheight=8\nchannels=3\n\n[convolutional]\nfilters=4\nsize=3\nstride=1\npad=1\nactivation=leaky\n", "n.cfg");
        var request = ModelAcquirer.WeightsRequestFor(new ModelRequest
        {
            Name = "mynet",
            Config = "n.cfg",
            WeightsUrl = "https://host.example/files/net-v2.weights",
            Sha256 = Pin,
        }, layout);

        Assert.Equal("net-v2.weights", request.FileName);
        Assert.Equal(DarknetConverter.ExpectedFileSize(layout, 20, null), request.Size);
        Assert.Equal(20 + 4 * (4 + 4 * 3 * 3 * 3), request.Size);
        Assert.Equal(new[] { Pin }, request.AcceptedSha256);
    }
}
