using Darknet.Weights.Models;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Models;

public class ModelCatalogTests
{
    /// <summary>The header of files darknet 0.2 and later wrote; yolov2.weights (0.1) has 16 bytes.</summary>
    private const int HeaderSize = 20;

    public static IEnumerable<object[]> ModelNames => ModelCatalog.All.Select(m => new object[] { m.Name });

    [Theory]
    [InlineData("yolov3", "yolov3")]
    [InlineData("YOLOv3", "yolov3")]
    [InlineData("yolo", "yolov3")]
    [InlineData("darknet53_448", "darknet53_448")]
    [InlineData("darknet53", "darknet53_448")]
    [InlineData("darknet", "darknet53_448")]
    [InlineData("yolov3_feat", "yolov3_feat")]
    [InlineData("yolov3-tiny", "yolov3-tiny")]
    [InlineData("yolov3-spp", "yolov3-spp")]
    [InlineData("darknet53.conv.74", "darknet53.conv.74")]
    [InlineData(" Darknet53.Conv.74 ", "darknet53.conv.74")]
    [InlineData("yolov3-openimages", "yolov3-openimages")]
    [InlineData("YOLOv3_OpenImages", "yolov3-openimages")]
    [InlineData("yolov2", "yolov2")]
    [InlineData("YOLOv2", "yolov2")]
    [InlineData("yolov4", "yolov4")]
    [InlineData("YOLOv4", "yolov4")]
    [InlineData("yolov4-tiny", "yolov4-tiny")]
    [InlineData("yolov4_tiny", "yolov4-tiny")]
    [InlineData("yolov4.conv.137", "yolov4.conv.137")]
    [InlineData("yolov4_conv137", "yolov4.conv.137")]
    [InlineData("yolov4-csp", "yolov4-csp")]
    [InlineData("YOLOv4_CSP", "yolov4-csp")]
    [InlineData("yolov4x-mish", "yolov4x-mish")]
    [InlineData("yolov4x_mish", "yolov4x-mish")]
    [InlineData("yolov7-tiny", "yolov7-tiny")]
    [InlineData("yolov7_tiny", "yolov7-tiny")]
    [InlineData("YOLOv7", "yolov7")]
    [InlineData("yolov7x", "yolov7x")]
    [InlineData("yolov2-tiny", "yolov2-tiny")]
    [InlineData("yolov2_tiny", "yolov2-tiny")]
    public void Find_accepts_names_and_aliases_in_any_case(string query, string name)
    {
        Assert.Equal(name, ModelCatalog.Find(query)?.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yolov5")]
    [InlineData("yolov3.weights")]
    public void Find_returns_null_for_unknown_names(string query)
    {
        Assert.Null(ModelCatalog.Find(query));
    }

    [Fact]
    public void Names_and_aliases_are_unique()
    {
        var all = ModelCatalog.All.SelectMany(m => m.Aliases.Prepend(m.Name)).Select(n => n.ToLowerInvariant()).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void The_published_size_is_the_header_plus_the_floats_of_the_layout(string name)
    {
        var model = ModelCatalog.Find(name)!;
        Assert.Equal(model.WeightsSize, model.HeaderSize + 4 * model.Layout.FloatCount());
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Only_yolov2_has_the_old_16_byte_header(string name)
    {
        Assert.Equal(name == "yolov2" ? 16 : HeaderSize, ModelCatalog.Find(name)!.HeaderSize);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Layer_names_are_unique_one_per_converted_layer(string name)
    {
        var model = ModelCatalog.Find(name)!;
        var converted = model.LayerLimit ?? model.Layout.WeightedLayers.Count;
        Assert.Equal(converted, model.LayerNames.Count);
        Assert.Equal(converted, model.LayerNames.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Downloads_are_https_and_hashes_are_not_made_up(string name)
    {
        var model = ModelCatalog.Find(name)!;
        Assert.NotEmpty(model.Urls);
        Assert.All(model.Urls, u => Assert.StartsWith("https://", u));
        Assert.All(model.Urls, u => Assert.EndsWith("/" + model.WeightsFileName, u));
        Assert.All(model.AcceptedSha256, sha => Assert.Matches("^[0-9a-f]{64}$", sha));
        Assert.True(model.Sha1 is null || model.Sha1.Length == 40);
        Assert.DoesNotContain('.', model.OutputName);
    }

    /// <summary>
    /// Each built-in pins the SHA-256 that ../shared/docs/published-hashes.md lists with two or more independent sources,
    /// and no SHA-256 where fewer agree (a wrong pin would break every user's build).
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(ModelNames))]
    public void Sha256_is_pinned_where_two_published_sources_agree(string name)
    {
        var cfg = Darknet.Testing.SharedFiles.CfgDirectory;
        var table = cfg is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(cfg))!, "docs", "published-hashes.md");
        Skip.If(table is null || !File.Exists(table), "../shared/docs/published-hashes.md is not beside this clone (it is in the workplace and in CI)");
        var model = ModelCatalog.Find(name)!;
        var confirmed = new List<string>();
        foreach (var line in File.ReadAllLines(table!))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length < 6 || cells[1].Split(',').Select(f => f.Trim()).All(f => f != model.WeightsFileName)) continue;
            var sha = cells[3].Trim('`');
            var sources = int.Parse(new string(cells[4].TakeWhile(char.IsDigit).ToArray()) is { Length: > 0 } digits ? digits : "0");
            if (sha.Length == 64 && sources >= 2) confirmed.Add(sha);
        }
        Assert.Equal(confirmed, model.AcceptedSha256);
    }

    [Fact]
    public void Yolov3_is_the_published_file()
    {
        var model = ModelCatalog.Find("yolov3")!;
        Assert.Equal("yolov3.weights", model.WeightsFileName);
        Assert.Equal("yolov3", model.OutputName);
        Assert.Equal(248_007_048L, model.WeightsSize);
        Assert.Equal("520878f12e97cf820529daea502acca380f1cb8e", model.Sha1);
        Assert.Equal(new[]
        {
            "https://pjreddie.com/media/files/yolov3.weights",
            "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v3_optimal/yolov3.weights",
            "https://github.com/hank-ai/darknet/releases/download/v2.0/yolov3.weights",
            "https://data.pjreddie.com/files/yolov3.weights",
        }, model.Urls);
        Assert.Null(model.LayerLimit);
        Assert.Equal(75, model.Layout.WeightedLayers.Count);
        Assert.Equal("conv_1_1", model.LayerNames[52]);
        Assert.Equal("conv_3_7", model.LayerNames[74]);
    }

    [Fact]
    public void Darknet53_448_is_the_classifier_ending_in_conv_fc_1()
    {
        var model = ModelCatalog.Find("darknet53")!;
        Assert.Equal("darknet53_448.weights", model.WeightsFileName);
        Assert.Equal("darknet53_448", model.OutputName);
        Assert.Equal(166_582_580L, model.WeightsSize);
        Assert.Equal(new[] { "https://pjreddie.com/media/files/darknet53_448.weights", "https://data.pjreddie.com/files/darknet53_448.weights" }, model.Urls);
        Assert.Equal(Enumerable.Range(1, 52).Select(i => $"conv_{i}").Append("conv_fc_1"), model.LayerNames);
    }

    [Fact]
    public void Yolov3_feat_reads_the_first_52_layers_of_the_classifier_file()
    {
        var feat = ModelCatalog.Find("yolov3_feat")!;
        var classifier = ModelCatalog.Find("darknet53_448")!;
        Assert.Equal(classifier.WeightsFileName, feat.WeightsFileName);
        Assert.Equal(classifier.WeightsSize, feat.WeightsSize);
        Assert.Equal(classifier.Urls, feat.Urls);
        Assert.Equal(52, feat.LayerLimit);
        Assert.Equal("yolov3_feat", feat.OutputName);
        Assert.Equal(Enumerable.Range(1, 52).Select(i => $"conv_{i}"), feat.LayerNames);
        Assert.Equal(40_620_640L, feat.Layout.FloatCount(feat.LayerLimit));
    }

    [Fact]
    public void Darknet53_conv_74_holds_the_52_backbone_convs()
    {
        var model = ModelCatalog.Find("darknet53.conv.74")!;
        var classifier = ModelCatalog.Find("darknet53_448")!;
        Assert.Equal("darknet53.conv.74", model.WeightsFileName);
        Assert.Equal("darknet53_conv74", model.OutputName);
        Assert.Equal(74, model.Layout.Layers.Count);
        Assert.Equal(52, model.Layout.WeightedLayers.Count);
        Assert.Equal(HeaderSize + 4 * classifier.Layout.FloatCount(52), model.WeightsSize);
        Assert.Equal(162_482_580L, model.WeightsSize);
        Assert.Equal(Enumerable.Range(1, 52).Select(i => $"conv_{i}"), model.LayerNames);
    }

    [Theory]
    [InlineData("yolov3-tiny", 35_434_956L, 13)]
    [InlineData("yolov3-spp", 252_209_544L, 76)]
    public void Tiny_and_spp_have_their_published_sizes(string name, long size, int weighted)
    {
        var model = ModelCatalog.Find(name)!;
        Assert.Equal(name + ".weights", model.WeightsFileName);
        Assert.Equal(size, model.WeightsSize);
        Assert.Equal(weighted, model.Layout.WeightedLayers.Count);
        Assert.Equal("https://pjreddie.com/media/files/" + name + ".weights", model.Urls[0]);
        Assert.Equal("https://data.pjreddie.com/files/" + name + ".weights", model.Urls[^1]);
    }

    [Fact]
    public void Yolov3_openimages_is_yolov3_with_601_classes()
    {
        var model = ModelCatalog.Find("yolov3-openimages")!;
        var yolov3 = ModelCatalog.Find("yolov3")!;
        AssertWholePjReddieFileWithoutHash(model);
        Assert.Equal(259_229_388L, model.WeightsSize);
        Assert.Equal(64_807_342L, model.Layout.FloatCount());
        Assert.Equal(yolov3.LayerNames, model.LayerNames);
        // Only the three detection convs differ: 3 × (601 + 5) = 1818 filters instead of 255.
        var weighted = model.Layout.WeightedLayers;
        var heads = Enumerable.Range(0, weighted.Count).Where(i => !weighted[i].BatchNormalize).ToList();
        Assert.Equal(new[] { "conv_1_7", "conv_2_7", "conv_3_7" }, heads.Select(i => model.LayerNames[i]));
        Assert.All(heads, i => Assert.Equal(1818, weighted[i].Filters));
        for (var i = 0; i < weighted.Count; i++)
            if (!heads.Contains(i)) Assert.Equal(yolov3.Layout.WeightedLayers[i].FloatCount, weighted[i].FloatCount);
    }

    [Fact]
    public void Yolov2_is_the_published_file_with_its_16_byte_header()
    {
        var model = ModelCatalog.Find("yolov2")!;
        AssertWholePjReddieFileWithoutHash(model, hankAi: true);
        Assert.Equal(16, model.HeaderSize);
        Assert.Equal(23, model.Layout.WeightedLayers.Count);
        Assert.Equal(50_983_561L, model.Layout.FloatCount());
        Assert.Equal(203_934_260L, model.WeightsSize);
        Assert.Equal(425, model.Layout.WeightedLayers[22].Filters); // 5 anchors × (80 + 5)
        Assert.Equal(Enumerable.Range(1, 23).Select(i => $"conv_{i}"), model.LayerNames);
    }

    [Theory]
    [InlineData("yolov4", 257_717_640L, 64_429_405L, 110)]
    [InlineData("yolov4-tiny", 24_251_276L, 6_062_814L, 21)]
    public void Yolov4_and_tiny_are_alexeyabs_published_files(string name, long size, long floats, int convs)
    {
        var model = ModelCatalog.Find(name)!;
        Assert.Equal(name + ".weights", model.WeightsFileName);
        Assert.Equal(name, model.OutputName);
        Assert.Equal(size, model.WeightsSize);
        Assert.Equal(floats, model.Layout.FloatCount());
        Assert.Null(model.LayerLimit);
        Assert.Null(model.Sha1);
        Assert.Equal(convs, model.Layout.WeightedLayers.Count);
        Assert.All(model.Layout.WeightedLayers, l => Assert.Equal(Darknet.Weights.Layout.LayerType.Convolutional, l.Type));
        Assert.Equal(Enumerable.Range(1, convs).Select(i => $"conv_{i}"), model.LayerNames);
        var release = name == "yolov4" ? "darknet_yolo_v3_optimal" : "darknet_yolo_v4_pre";
        Assert.Equal(new[]
        {
            $"https://github.com/AlexeyAB/darknet/releases/download/{release}/{name}.weights",
            $"https://github.com/hank-ai/darknet/releases/download/v2.0/{name}.weights",
            $"https://data.pjreddie.com/files/{name}.weights",
            $"https://pjreddie.com/media/files/{name}.weights",
        }, model.Urls);
    }

    [Fact]
    public void Yolov4_conv_137_holds_yolov4s_first_convs_under_the_same_names()
    {
        var model = ModelCatalog.Find("yolov4.conv.137")!;
        var yolov4 = ModelCatalog.Find("yolov4")!;
        Assert.Equal("yolov4.conv.137", model.WeightsFileName);
        Assert.Equal("yolov4_conv137", model.OutputName);
        Assert.Equal(137, model.Layout.Layers.Count);
        var convs = model.Layout.WeightedLayers.Count;
        Assert.Equal(92, convs);   // yolov4's 110 minus the 18 from layer 137 on
        Assert.Equal(HeaderSize + 4 * yolov4.Layout.FloatCount(convs), model.WeightsSize);
        Assert.Equal(170_038_676L, model.WeightsSize);
        Assert.Equal(yolov4.LayerNames.Take(convs), model.LayerNames);
        Assert.Equal(new[] { "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v3_optimal/yolov4.conv.137" }, model.Urls);
        Assert.Empty(model.AcceptedSha256);
    }

    [Theory]
    [InlineData("yolov4-csp", 211_944_840L, 52_986_205L, 115)]
    [InlineData("yolov4x-mish", 399_388_168L, 99_847_037L, 137)]
    [InlineData("yolov7-tiny", 24_967_560L, 6_241_885L, 58)]
    [InlineData("yolov7", 147_898_248L, 36_974_557L, 92)]
    [InlineData("yolov7x", 285_638_760L, 71_409_685L, 108)]
    public void Scaled_yolov4_and_yolov7_are_the_published_files_with_new_coords_heads(string name, long size, long floats, int convs)
    {
        var model = ModelCatalog.Find(name)!;
        Assert.Equal(name + ".weights", model.WeightsFileName);
        Assert.Equal(name, model.OutputName);
        Assert.Equal(size, model.WeightsSize);
        Assert.Equal(floats, model.Layout.FloatCount());
        Assert.Equal(size, HeaderSize + 4 * floats);
        Assert.Null(model.LayerLimit);
        Assert.Null(model.Sha1);
        Assert.Empty(model.AcceptedSha256);   // none published (published-hashes.md)
        Assert.Equal(convs, model.Layout.WeightedLayers.Count);
        Assert.Equal(Enumerable.Range(1, convs).Select(i => $"conv_{i}"), model.LayerNames);
        Assert.Equal(name.StartsWith("yolov7")
            ? new[]
            {
                $"https://github.com/AlexeyAB/darknet/releases/download/yolov4/{name}.weights",
                $"https://github.com/WongKinYiu/yolov7/releases/download/v0.1/{name}.weights",
            }
            : new[] { $"https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v4_pre/{name}.weights" }, model.Urls);

        // Three [yolo] scales, strides 8, 16, 32, each fed by a logistic detection conv (new_coords=1) with biases and no batch norm.
        var heads = model.Layout.Layers.Where(l => l.Head != null).ToList();
        Assert.Equal(new[] { 8, 16, 32 }, heads.Select(l => model.Layout.Width / l.OutputWidth));
        for (var scale = 0; scale < 3; scale++)
        {
            var head = heads[scale].Head!;
            Assert.Equal(Darknet.Weights.Layout.LayerType.Yolo, heads[scale].Type);
            Assert.Equal(80, head.Classes);
            Assert.Equal(9, head.Num);
            Assert.Equal(new[] { 3 * scale, 3 * scale + 1, 3 * scale + 2 }, head.Mask);
            Assert.Equal(2f, head.ScaleXY);
            Assert.True(head.NewCoords);
            var conv = model.Layout.Layers[heads[scale].Index - 1];
            Assert.Equal((255, "logistic", false), (conv.Filters, conv.Activation, conv.BatchNormalize));
        }
        Assert.Equal(name == "yolov7-tiny" ? YoloV3.Anchors : YoloV4.Anchors, heads[0].Head!.Anchors);
    }

    /// <summary>
    /// yolov7x.cfg is not among the cfgs in ../shared (it is only in AlexeyAB's repository), so CI runs no layer-by-layer
    /// comparison of this layout with it, as BuiltInLayoutMatchesCfgTests does for the others. What pins the description
    /// here: its float count is exactly the published file's, 20 + 4 × 71,409,685 = 285,638,760 bytes, and its shape.
    /// </summary>
    [Fact]
    public void Yolov7x_floats_give_exactly_the_published_size()
    {
        var model = ModelCatalog.Find("yolov7x")!;
        Assert.Equal(71_409_685L, model.Layout.FloatCount());
        Assert.Equal(285_638_760L, HeaderSize + 4 * model.Layout.FloatCount());
        Assert.Equal((640, 640, 3), (model.Layout.Width, model.Layout.Height, model.Layout.Channels));
        Assert.Equal(159, model.Layout.Layers.Count);
        Assert.Equal(new[] { 150, 154, 158 }, model.Layout.Layers.Where(l => l.Head != null).Select(l => l.Index));
    }

    [Fact]
    public void Yolov2_tiny_is_pjreddies_file_with_a_region_head()
    {
        var model = ModelCatalog.Find("yolov2-tiny")!;
        // A file new to the catalog lists pjreddie's working host first: pjreddie.com often serves its home page instead.
        Assert.Equal(new[]
        {
            "https://data.pjreddie.com/files/yolov2-tiny.weights",
            "https://github.com/hank-ai/darknet/releases/download/v2.0/yolov2-tiny.weights",
            "https://pjreddie.com/media/files/yolov2-tiny.weights",
        }, model.Urls);
        Assert.Equal(("yolov2-tiny.weights", "yolov2-tiny"), (model.WeightsFileName, model.OutputName));
        Assert.Null(model.Sha1);
        Assert.Null(model.LayerLimit);
        Assert.Equal(HeaderSize, model.HeaderSize);
        Assert.Equal(9, model.Layout.WeightedLayers.Count);
        Assert.Equal(11_237_145L, model.Layout.FloatCount());
        Assert.Equal(44_948_600L, model.WeightsSize);
        Assert.Empty(model.AcceptedSha256);   // one published SHA-256 only (published-hashes.md)
        Assert.Equal(425, model.Layout.WeightedLayers[8].Filters); // 5 anchors × (80 + 5)
        var region = Assert.Single(model.Layout.Layers, l => l.Head != null);
        Assert.Equal(Darknet.Weights.Layout.LayerType.Region, region.Type);
        Assert.Equal(YoloV2.Anchors, region.Head!.Anchors);
        Assert.True(region.Head.Softmax);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"conv_{i}"), model.LayerNames);
    }

    /// <summary>name.weights from pjreddie's hosts (and hank-ai's release where it serves it), written as name.npy, every layer converted, no published hash.</summary>
    private static void AssertWholePjReddieFileWithoutHash(BuiltInModel model, bool hankAi = false)
    {
        Assert.Equal(model.Name + ".weights", model.WeightsFileName);
        Assert.Equal(model.Name, model.OutputName);
        var urls = new List<string> { "https://pjreddie.com/media/files/" + model.Name + ".weights" };
        if (hankAi) urls.Add("https://github.com/hank-ai/darknet/releases/download/v2.0/" + model.Name + ".weights");
        urls.Add("https://data.pjreddie.com/files/" + model.Name + ".weights");
        Assert.Equal(urls, model.Urls);
        Assert.Null(model.Sha1);
        Assert.Null(model.LayerLimit);
    }
}
