using Darknet.Weights;
using Darknet.Weights.Config;
using Xunit;

namespace Darknet.Weights.Tests.Config;

public class CfgReaderTests
{
    [Fact]
    public void Reads_sections_options_and_their_lines()
    {
        var text = "# a comment\n[net]\nwidth = 416\n\n; another comment\n  height=416  \n[convolutional]\nfilters=32\r\nsize = 3\n";
        var sections = CfgReader.Parse(text, "t.cfg");

        Assert.Equal(2, sections.Count);
        Assert.Equal("net", sections[0].Name);
        Assert.Equal(2, sections[0].Line);
        Assert.Equal(416, sections[0].GetInt("width", 0));
        Assert.Equal(416, sections[0].GetInt("height", 0));
        Assert.Equal(6, sections[0].Find("height")!.Line);
        Assert.Equal("convolutional", sections[1].Name);
        Assert.Equal(7, sections[1].Line);
        Assert.Equal(32, sections[1].GetInt("filters", 1));
        Assert.Equal(3, sections[1].GetInt("size", 1));
    }

    [Fact]
    public void Removes_all_whitespace_like_darknet()
    {
        var section = CfgReader.Parse("[route]\nlayers = -1, 61\n\t[ shortcut ]\n", "t.cfg");
        Assert.Equal(new[] { -1, 61 }, section[0].GetIntList("layers"));
        Assert.Equal("shortcut", section[1].Name);
    }

    [Fact]
    public void Missing_keys_give_the_default_and_the_first_of_repeated_keys_wins()
    {
        var section = CfgReader.Parse("[conv]\nsize=3\nsize=5\n", "t.cfg")[0];
        Assert.Equal(3, section.GetInt("size", 1));
        Assert.Equal(7, section.GetInt("filters", 7));
        Assert.Null(section.GetIntList("layers"));
    }

    [Fact]
    public void A_comment_after_a_value_is_ignored()
    {
        var section = CfgReader.Parse("[conv]\nfilters=255 # 3*(80+5)\nsize=1;one\n", "t.cfg")[0];
        Assert.Equal(255, section.GetInt("filters", 1));
        Assert.Equal(1, section.GetInt("size", 0));
    }

    [Fact]
    public void A_byte_order_mark_is_ignored()
    {
        Assert.Equal("net", CfgReader.Parse("\uFEFF[net]\nwidth=1\n", "t.cfg")[0].Name);
    }

    [Theory]
    [InlineData("[net]\nwidth=1\nthis is not an option\n", 3)]
    [InlineData("[net]\n=5\n", 2)]
    [InlineData("width=416\n[net]\n", 1)]
    [InlineData("[net]\n[convolutional\n", 2)]
    [InlineData("[net]\n[]\n", 2)]
    public void A_malformed_line_is_refused_with_source_and_line(string text, int line)
    {
        var e = Assert.Throws<DarknetException>(() => CfgReader.Parse(text, "bad.cfg"));
        Assert.Equal(ErrorCodes.MalformedCfg, e.Code);
        Assert.Contains($"bad.cfg, line {line}", e.Message);
    }

    [Fact]
    public void An_html_page_instead_of_a_cfg_is_refused_at_its_first_line()
    {
        var e = Assert.Throws<DarknetException>(() => CfgReader.Parse("<!DOCTYPE html>\n<html><body>Not Found</body></html>\n", "yolov3.cfg"));
        Assert.Equal(ErrorCodes.MalformedCfg, e.Code);
        Assert.Contains("yolov3.cfg, line 1", e.Message);
    }

    [Fact]
    public void A_value_that_is_not_a_whole_number_is_refused_when_read_naming_its_line()
    {
        var section = CfgReader.Parse("[net]\n\n[conv]\nfilters=3x2\n", "bad.cfg")[1];
        var e = Assert.Throws<DarknetException>(() => section.GetInt("filters", 1));
        Assert.Equal(ErrorCodes.MalformedCfg, e.Code);
        Assert.Contains("bad.cfg, line 4", e.Message);
        Assert.Contains("filters", e.Message);
    }

    [Fact]
    public void A_binary_file_as_cfg_is_refused_at_the_line_of_its_first_nul_byte()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cfgreader-{Guid.NewGuid():N}.weights");
        try
        {
            File.WriteAllBytes(path, new byte[] { (byte)'[', (byte)'n', (byte)'e', (byte)'t', (byte)']', (byte)'\n', 0, 2, 0, 0, 0x93, 0xFF });
            var e = Assert.Throws<DarknetException>(() => CfgReader.ReadFile(path));
            Assert.Equal(ErrorCodes.MalformedCfg, e.Code);
            Assert.Contains($"{Path.GetFileName(path)}, line 2", e.Message);
            Assert.Contains("binary file", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_far_larger_than_any_cfg_is_refused_before_it_is_read()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cfgreader-{Guid.NewGuid():N}.cfg");
        try
        {
            using (var file = File.Create(path)) file.SetLength(CfgReader.MaxCfgBytes + 1); // sparse: nothing is written
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<DarknetException>(() => CfgReader.ReadFile(path));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the file was read");
            Assert.Equal(ErrorCodes.MalformedCfg, e.Code);
            Assert.Contains("not a cfg", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void An_endless_device_as_cfg_is_refused_after_a_bounded_read()
    {
        Skip.IfNot(File.Exists("/dev/zero"), "no /dev/zero on this system");
        var e = Assert.Throws<DarknetException>(() => CfgReader.ReadFile("/dev/zero")); // its length reads as 0; it never ends
        Assert.Equal(ErrorCodes.MalformedCfg, e.Code);
        Assert.Contains("not a cfg", e.Message);
    }

    [Fact]
    public void A_long_malformed_line_is_quoted_short_and_without_control_characters()
    {
        var e = Assert.Throws<DarknetException>(() => CfgReader.Parse("[net]\n" + "\u0001" + new string('x', 100_000) + "\n", "bad.cfg"));
        Assert.Contains("bad.cfg, line 2: '?xxx", e.Message);
        Assert.True(e.Message.Length < 200, e.Message);
        var unknown = Assert.Throws<DarknetException>(() => Darknet.Weights.Layout.NetworkLayout.FromCfg("[net]\nwidth=8\nheight=8\nchannels=3\n[" + new string('y', 100_000) + "]\n", "bad.cfg"));
        Assert.Equal(ErrorCodes.UnknownSection, unknown.Code);
        Assert.True(unknown.Message.Length < 200, unknown.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_as_such()
    {
        var e = Assert.Throws<DarknetException>(() => CfgReader.ReadFile(Path.Combine(Path.GetTempPath(), "no-such-dir-4711", "x.cfg")));
        Assert.Equal(ErrorCodes.CfgNotFound, e.Code);
    }

    [Theory]
    [InlineData("conv"), InlineData("convolutional"), InlineData("deconv"), InlineData("deconvolutional"), InlineData("conn")]
    [InlineData("connected"), InlineData("max"), InlineData("maxpool"), InlineData("avg"), InlineData("avgpool")]
    [InlineData("batchnorm"), InlineData("route"), InlineData("shortcut"), InlineData("upsample"), InlineData("reorg")]
    [InlineData("yolo"), InlineData("region"), InlineData("detection"), InlineData("soft"), InlineData("softmax")]
    [InlineData("cost"), InlineData("dropout")]
    public void Every_darknet_section_name_maps_to_a_layer_type(string name)
    {
        Assert.True(SectionNames.TryGetLayerType(name, out _));
    }

    [Fact]
    public void Net_and_network_name_the_network_section()
    {
        Assert.True(SectionNames.IsNetwork("net"));
        Assert.True(SectionNames.IsNetwork("network"));
        Assert.False(SectionNames.IsNetwork("conv"));
    }
}
