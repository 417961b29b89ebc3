using System.Collections;
using System.Reflection;
using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Xunit;

namespace Darknet.Weights.Tests.Layout;

/// <summary>
/// A layout at another input size is every layer given again to the builder: at its own size that gives the layout back,
/// every property of every layer (so no option is lost on the way), for every cfg and built-in there is.
/// </summary>
public class LayoutResizeTests
{
    public static IEnumerable<object[]> Cfgs() =>
        SharedFiles.CfgFileNames().Select(n => new object[] { "cfg", n })
            .Concat(SharedFiles.AlexeyAbCfgFileNames().Select(n => new object[] { "cfg-alexeyab", n }));

    [SkippableTheory]
    [MemberData(nameof(Cfgs))]
    public void Given_again_at_its_own_size_a_cfgs_layout_is_the_same(string folder, string cfgName)
    {
        var path = Path.Combine(Path.GetDirectoryName(SharedFiles.RequireCfgDirectory())!, folder, cfgName);
        var layout = NetworkLayout.FromCfgFile(path);
        AssertSame(layout, LayoutResize.AtSize(layout, layout.Width, layout.Height));
    }

    [Fact]
    public void Given_again_at_its_own_size_every_built_in_is_the_same()
    {
        foreach (var model in ModelCatalog.All)
            AssertSame(model.Layout, LayoutResize.AtSize(model.Layout, model.Layout.Width, model.Layout.Height));
    }

    [SkippableFact]
    public void At_another_size_shapes_follow_as_they_do_when_the_cfg_says_that_size()
    {
        var cfg = File.ReadAllText(SharedFiles.RequireCfg("yolov3-tiny.cfg"));
        var resized = NetworkLayout.FromCfg(cfg, "yolov3-tiny.cfg").AtSize(320, 256);
        var written = NetworkLayout.FromCfg(cfg.Replace("width=416", "width=320").Replace("height=416", "height=256"), "yolov3-tiny.cfg");
        AssertSame(written, resized);
        Assert.Equal((10, 8), (resized.Layers[16].OutputWidth, resized.Layers[16].OutputHeight));

        // A [connected] layer's inputs follow the size, and with them the floats it stores: its weights fit one size only.
        var alexnet = NetworkLayout.FromCfgFile(SharedFiles.RequireCfg("alexnet.cfg"));
        Assert.NotEqual(alexnet.FloatCount(), LayoutResize.AtSize(alexnet, 195, 195).FloatCount());
        var e = Assert.Throws<DarknetException>(() => alexnet.AtSize(195, 195));
        Assert.Equal(ErrorCodes.BadSize, e.Code);
        Assert.Contains("this network runs at its own 227x227 only", e.Message);
    }

    private static void AssertSame(NetworkLayout expected, NetworkLayout actual)
    {
        Assert.Equal((expected.Width, expected.Height, expected.Channels, expected.SourceName), (actual.Width, actual.Height, actual.Channels, actual.SourceName));
        Assert.Equal(expected.Layers.Count, actual.Layers.Count);
        for (int i = 0; i < expected.Layers.Count; i++)
            Assert.Equal(Describe(expected.Layers[i]), Describe(actual.Layers[i]));
    }

    // Every public property, lists and the head and blocks spelled out.
    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => s,
        LayerInfo or DetectionHead or StoredBlock => string.Join(" ", value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != nameof(StoredBlock.Layer))
            .Select(p => p.Name + "=" + Describe(p.GetValue(value)))),
        FloatSlot slot => slot.Name + ":" + slot.Count,
        StoredArray array => array.Name + ":" + string.Join("x", array.Shape),
        IEnumerable list => "[" + string.Join(",", list.Cast<object?>().Select(Describe)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
