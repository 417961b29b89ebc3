using Darknet.Testing;
using Darknet.Weights.Models;
using Xunit;
using PythonNumpy = Darknet.Testing.Numpy;

namespace Darknet.Weights.Tests.Conversion;

/// <summary>
/// An independent Darknet reader: OpenCV's importer (cv2.dnn.readNetFromDarknet) loads AlexeyAB's cfg and a synthetic
/// .weights of the published size (header 0.2.5, as his darknet writes), and every parameter array it holds must equal
/// what we converted from the same file with the built-in layout. Compared before any forward pass, so OpenCV has not
/// folded batch norm into the convolutions: its conv blob is (out, in/groups, k, k) plus a bias without batch norm, its
/// batch-norm blobs are [mean, variance, scale, bias].
/// </summary>
public class OpenCvCrossCheckTests
{
    [SkippableTheory]
    [InlineData("yolov4-tiny", "yolov4-tiny.cfg")]
    [InlineData("yolov4", "yolov4.cfg")]
    public void Converted_arrays_equal_what_opencv_loads(string model, string cfgName)
    {
        var cfg = SharedFiles.RequireAlexeyAbCfg(cfgName);
        OpenCv.Require();
        var builtIn = ModelCatalog.Find(model)!;
        using var dir = new TempDirectory();
        var weights = dir.File(builtIn.WeightsFileName);
        SyntheticWeights.WriteFile(weights, builtIn.Layout.FloatCount(), SyntheticWeights.Header(0, 2, 5), seed: 0x0CF);
        Assert.Equal(builtIn.WeightsSize, new FileInfo(weights).Length);
        var npy = dir.File(builtIn.OutputName + ".npy");
        DarknetConverter.ConvertFile(builtIn.Layout, weights, npy, new ConversionOptions { LayerNames = builtIn.LayerNames });

        var pairs = builtIn.Layout.WeightedLayers.Select((l, i) => builtIn.LayerNames[i] + ":" + l.Index);
        var output = PythonNumpy.RunScript(Script, cfg, weights, npy, string.Join(",", pairs));

        Assert.Contains($"ok {builtIn.Layout.WeightedLayers.Count} layers", output);
    }

    private const string Script = """
        import sys
        import numpy as np
        import cv2

        cfg, weights, npy, pairs = sys.argv[1:5]
        pairs = [p.split(':') for p in pairs.split(',')]
        net = cv2.dnn.readNetFromDarknet(cfg, weights)
        ours = np.load(npy, allow_pickle=True).item()

        assert list(ours.keys()) == [name for name, _ in pairs], 'layer names or order differ'
        opencv_convs = [n for n in net.getLayerNames() if net.getLayer(n).type == 'Convolution']
        assert opencv_convs == ['conv_' + index for _, index in pairs], ('OpenCV holds other convolutions', opencv_convs)

        def same(what, a, b):
            if a.shape != b.shape or not np.array_equal(a, b):
                raise AssertionError('%s: ours %s vs OpenCV %s, first difference at %s' % (
                    what, a.shape, b.shape, np.argwhere(a != b)[:1] if a.shape == b.shape else '-'))

        for name, index in pairs:
            layer = ours[name]
            conv = net.getLayer('conv_' + index).blobs
            same(name + ' weights', np.transpose(layer['weights'], (3, 2, 0, 1)), conv[0])
            if 'bn' in layer:
                assert len(conv) == 1, name + ': OpenCV has a conv bias where we have batch norm'
                gamma, beta, mean, variance = layer['bn']
                bn = [b.ravel() for b in net.getLayer('bn_' + index).blobs]
                assert len(bn) == 4, name + ': OpenCV batch norm does not hold 4 arrays'
                for what, a, b in zip(['mean', 'variance', 'gamma', 'beta'], [mean, variance, gamma, beta], bn):
                    same(name + ' ' + what, a, b)
            else:
                same(name + ' biases', layer['biases'], conv[1].ravel())
        print('ok', len(pairs), 'layers')
        """;
}
