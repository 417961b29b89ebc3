using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Weights.Tests.Conversion;

/// <summary>
/// The converted arrays equal what darknet itself holds after loading the same file: pjreddie's libdarknet loads the cfg
/// and a synthetic .weights of exactly the size we compute, saves what it holds (save_weights: each layer's arrays in its
/// loading order, weights in memory order — so a flipped=1 layer comes out transposed back), and every float of that must
/// be the converter's output put back in darknet's order. Covers the sections pjreddie's darknet shares with AlexeyAB's:
/// [crnn] (its three convolutions), [crop], [connected], flipped=1 and dontload=1 (which darknet skips when loading but
/// saves with whatever it holds: those floats are skipped in the comparison).
/// </summary>
public sealed class DarknetHoldsTheSameArraysTests
{
    private readonly ITestOutputHelper _output;

    public DarknetHoldsTheSameArraysTests(ITestOutputHelper output) => _output = output;

    [SkippableTheory]
    [InlineData("cfg-alexeyab", "yolov3-tiny_occlusion_track.cfg", 64)]   // [crnn]
    [InlineData("cfg-alexeyab", "cifar.cfg", 0)]                          // [crop] noadjust, [dropout], [cost]
    [InlineData("cfg-alexeyab", "yolov3-tiny_xnor.cfg", 64)]              // xnor=1 stores floats in both darknets
    [InlineData("cfg", "yolov2-tiny-voc.cfg", 64)]
    [InlineData("cfg", "yolov1-tiny.cfg", 0)]                             // [connected] (into [detection])
    public void Converted_arrays_equal_what_darknet_holds_after_loading(string folder, string cfgName, int size)
    {
        var source = Path.Combine(Path.GetDirectoryName(SharedFiles.RequireCfgDirectory())!, folder, cfgName);
        Check(File.ReadAllText(source), cfgName, size);
    }

    [SkippableFact]
    public void Flipped_and_dontload_layers_are_held_as_darknet_holds_them()
    {
        Check("[net]\nwidth=16\nheight=16\nchannels=3\n" +
              "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\npad=1\nactivation=leaky\nflipped=1\n" +
              "[convolutional]\nfilters=6\nsize=3\npad=1\nactivation=leaky\ndontload=1\n" +
              "[convolutional]\nfilters=5\nsize=1\nactivation=linear\nflipped=1\n" +
              "[maxpool]\nsize=2\nstride=2\n" +
              "[connected]\noutput=7\nbatch_normalize=1\nactivation=leaky\n" +
              "[connected]\noutput=3\nactivation=linear\ndontload=1\n" +
              "[connected]\noutput=4\nactivation=linear\n", "flipped-dontload.cfg", 0);
    }

    private void Check(string cfgText, string cfgName, int size)
    {
        DarknetLibrary.Require();
        using var temp = new TempDirectory();
        var cfg = temp.File(cfgName);
        File.WriteAllText(cfg, ForOneImage(cfgText, size));
        var layout = NetworkLayout.FromCfgFile(cfg);
        var weights = temp.File("synthetic.weights");
        const uint seed = 0xDA7A;
        SyntheticWeights.WriteFile(weights, layout.FloatCount(), SyntheticWeights.Header(0, 2, 0), seed);

        var sink = new ListSink();
        using (var stream = File.OpenRead(weights))
            DarknetConverter.Convert(layout, stream, stream.Length, sink, new ConversionOptions());

        var saved = temp.File("saved.weights");
        DarknetLibrary.LoadAndSave(cfg, weights, saved);
        var held = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(saved).AsSpan(20)).ToArray();

        // darknet saves a layer it did not load too: the same cfg without dontload says how many floats that is.
        var asSaved = NetworkLayout.FromCfg(Regex.Replace(File.ReadAllText(cfg), @"(?m)^dontload=1$", ""), cfgName);
        long at = 0;
        int entry = 0, skipped = 0;
        for (int i = 0; i < asSaved.Layers.Count; i++)
        {
            var savedLayer = asSaved.Layers[i];
            if (layout.Layers[i].DontLoad)
            {
                at += savedLayer.FloatCount;
                skipped++;
                continue;
            }
            foreach (var block in layout.Layers[i].Stored)
            {
                var expected = InDarknetOrder(block, sink.Layers[entry++]);
                for (int k = 0; k < expected.Length; k++)
                    if (BitConverter.SingleToInt32Bits(expected[k]) != BitConverter.SingleToInt32Bits(held[at + k]))
                        Assert.Fail($"{cfgName} layer {i} ({block.Layer.SectionName}{(block.Role != null ? " " + block.Role : "")}): float {k} of its block is {expected[k]:R} converted but {held[at + k]:R} in darknet");
                at += expected.Length;
            }
        }
        Assert.Equal(sink.Layers.Count, entry);
        Assert.Equal(held.Length, at);
        _output.WriteLine($"{cfgName}: {entry} arrays, {at:N0} floats equal to darknet's, {skipped} layers darknet does not load skipped");
    }

    // save_convolutional_weights / save_connected_weights: biases, [scales, rolling mean, rolling variance,] weights — a
    // connected layer's batch-norm vectors after its weights; a convolution's weights (out, in, k, k), a connected one's (out, in).
    private static float[] InDarknetOrder(StoredBlock block, LayerParameters p)
    {
        var result = new List<float>();
        var w = p.Weights!;
        float[] weights;
        if (block.Kind == BlockKind.Connected)
        {
            int inputs = w.Shape[0], outputs = w.Shape[1];
            weights = new float[w.Data.Length];
            for (int i = 0; i < inputs; i++)
                for (int o = 0; o < outputs; o++) weights[o * inputs + i] = w.Data[i * outputs + o];
        }
        else
        {
            int k = w.Shape[0], inputs = w.Shape[2], outputs = w.Shape[3];
            weights = new float[w.Data.Length];
            for (int y = 0; y < k; y++)
                for (int x = 0; x < k; x++)
                    for (int i = 0; i < inputs; i++)
                        for (int o = 0; o < outputs; o++)
                            weights[((o * inputs + i) * k + y) * k + x] = w.Data[((y * k + x) * inputs + i) * outputs + o];
        }
        var bn = p.BatchNorm; // gamma, beta, mean, variance; beta is darknet's biases
        result.AddRange(bn == null ? p.Biases!.Data : bn[1].Data);
        if (block.Kind == BlockKind.Connected)
        {
            result.AddRange(weights);
            if (bn != null) result.AddRange(bn[0].Data.Concat(bn[2].Data).Concat(bn[3].Data));
        }
        else
        {
            if (bn != null) result.AddRange(bn[0].Data.Concat(bn[2].Data).Concat(bn[3].Data));
            result.AddRange(weights);
        }
        return result.ToArray();
    }

    // One image at a time (batch=1, subdivisions=1), and a small input where the weights do not depend on it. pjreddie's
    // [crnn] reads output_filters= and hidden_filters= where AlexeyAB's reads output= and hidden=: each ignores the other's.
    private static string ForOneImage(string cfg, int size)
    {
        var text = Regex.Replace(cfg, @"(?m)^\s*batch\s*=.*$", "batch=1");
        text = Regex.Replace(text, @"(?m)^\s*(output|hidden)\s*=\s*(\d+)\s*$", "$1=$2\n$1_filters=$2");
        text = Regex.Replace(text, @"(?m)^\s*subdivisions\s*=.*$", "subdivisions=1");
        if (size > 0)
        {
            text = Regex.Replace(text, @"(?m)^\s*width\s*=.*$", "width=" + size);
            text = Regex.Replace(text, @"(?m)^\s*height\s*=.*$", "height=" + size);
        }
        return text;
    }
}
