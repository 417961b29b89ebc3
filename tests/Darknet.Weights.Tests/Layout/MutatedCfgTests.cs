using System.Text.RegularExpressions;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Xunit;

namespace Darknet.Weights.Tests.Layout;

/// <summary>Damaged cfg text ends in a DarknetException or a valid layout: never another exception, a hang or a huge allocation.</summary>
public class MutatedCfgTests
{
    private const string Cfg = """
        [net]
        width=64
        height=64
        channels=3

        [convolutional]
        batch_normalize=1
        filters=16
        size=3
        stride=1
        pad=1

        [maxpool]
        size=2
        stride=2

        [convolutional]
        filters=32
        size=3
        stride=2
        padding=1
        groups=1

        [shortcut]
        from=-2

        [route]
        layers=-1,-2

        [upsample]
        stride=2

        [reorg]
        stride=2

        [deconvolutional]
        filters=8
        size=2
        stride=2

        [batchnorm]

        [avgpool]

        [connected]
        output=10
        batch_normalize=1

        [softmax]
        """;

    private static readonly int[] Replacements = { 0, -1, 1, 2, 3, 7, 64, 1000, -65536, 1 << 20, 1 << 30, int.MaxValue, int.MinValue };

    [Fact]
    public void The_unmutated_cfg_is_valid()
    {
        Assert.Equal(5, NetworkLayout.FromCfg(Cfg, "t.cfg").WeightedLayers.Count);
    }

    [Fact]
    public void Every_single_number_replaced_by_an_extreme_fails_cleanly_or_parses()
    {
        var numbers = Regex.Matches(Cfg, @"-?\d+");
        foreach (Match number in numbers)
        foreach (var replacement in Replacements)
        {
            var text = Cfg.Substring(0, number.Index) + replacement + Cfg.Substring(number.Index + number.Length);
            ParseOrDarknetException(text);
        }
    }

    [Fact]
    public void Random_line_deletions_and_swaps_fail_cleanly_or_parse()
    {
        var random = new Random(4711);
        var lines = Cfg.Split('\n');
        for (var run = 0; run < 500; run++)
        {
            var mutated = lines.ToList();
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                var i = random.Next(mutated.Count);
                var j = random.Next(mutated.Count);
                if (random.Next(2) == 0) mutated.RemoveAt(i);
                else (mutated[i], mutated[j]) = (mutated[j], mutated[i]);
            }
            ParseOrDarknetException(string.Join("\n", mutated));
        }
    }

    private static void ParseOrDarknetException(string text)
    {
        try
        {
            var layout = NetworkLayout.FromCfg(text, "t.cfg");
            Assert.All(layout.Layers, l => Assert.InRange(l.FloatCount, 0, LayoutBuilder.MaxLayerFloats));
        }
        catch (DarknetException e)
        {
            Assert.StartsWith("DKN1", e.Code);
        }
    }
}
