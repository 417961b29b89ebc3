using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Xunit;
using PythonNumpy = Darknet.Testing.Numpy;

namespace Darknet.Weights.Tests.Conversion;

/// <summary>
/// numpy checks the whole conversion on its own terms: it parses the cfg with a few lines of python, regenerates the
/// synthetic floats from the seed, reads the .weights itself, transposes (2, 3, 1, 0) itself, and compares exactly with
/// what np.load gets from our .npy (with and without encoding='latin1') and our .npz (allow_pickle=False).
/// </summary>
public class NumpyCrossCheckTests
{
    [SkippableFact]
    public void Yolov3Tiny() => CrossCheck(File.ReadAllText(SharedFiles.RequireCfg("yolov3-tiny.cfg")), seed: 42);

    [SkippableFact]
    public void HandWrittenCfgWithConnectedGroupsBatchnormAndNoBnConv() => CrossCheck(TestCfgs.Mixed, seed: 7);

    private static void CrossCheck(string cfgText, uint seed)
    {
        PythonNumpy.Require();
        using var dir = new TempDirectory();
        var cfg = dir.File("model.cfg");
        File.WriteAllText(cfg, cfgText);
        var layout = NetworkLayout.FromCfgFile(cfg);
        var weights = dir.File("model.weights");
        SyntheticWeights.WriteFile(weights, layout.FloatCount(), seed: seed);
        var npy = dir.File("model.npy");
        var npz = dir.File("model.npz");
        DarknetConverter.ConvertFile(layout, weights, npy, new ConversionOptions());
        DarknetConverter.ConvertFile(layout, weights, npz, new ConversionOptions { Format = OutputFormat.Npz });

        var output = PythonNumpy.RunScript("import sys\nimport numpy as np\n" + SyntheticWeights.PythonFunction + Script,
            cfg, weights, npy, npz, seed.ToString(), string.Join(",", LayerNaming.NamesFor(layout)));

        Assert.Contains($"ok {layout.WeightedLayers.Count} layers", output);
    }

    private const string Script = """

        cfg, weights_path, npy_path, npz_path = sys.argv[1:5]
        seed = int(sys.argv[5])
        names = sys.argv[6].split(',')

        # -- the cfg, parsed here independently: weighted layers and what they read
        sections = []
        for line in open(cfg).read().splitlines():
            line = line.strip()
            if not line or line[0] in '#;':
                continue
            if line.startswith('['):
                sections.append((line[1:-1].strip(), {}))
            else:
                k, v = line.split('=', 1)
                sections[-1][1][k.strip()] = v.strip()
        net = sections[0][1]
        h, w, c = int(net.get('height', 1)), int(net.get('width', 1)), int(net.get('channels', 3))
        outputs, weighted = [], []
        for kind, o in sections[1:]:
            i = len(outputs)
            if kind in ('convolutional', 'conv'):
                n, size, stride = int(o['filters']), int(o.get('size', 1)), int(o.get('stride', 1))
                groups = int(o.get('groups', 1))
                pad = size // 2 if int(o.get('pad', 0)) else int(o.get('padding', 0))
                weighted.append(('conv', n, c // groups, size, int(o.get('batch_normalize', 0))))
                h, w, c = (h + 2 * pad - size) // stride + 1, (w + 2 * pad - size) // stride + 1, n
            elif kind in ('maxpool', 'max'):
                size, stride = int(o.get('size', 1)), int(o.get('stride', 1))
                padding = int(o.get('padding', size - 1))
                h, w = (h + padding - size) // stride + 1, (w + padding - size) // stride + 1
            elif kind == 'upsample':
                s = int(o.get('stride', 2)); h, w = h * s, w * s
            elif kind == 'route':
                idx = [int(x) for x in o['layers'].split(',')]
                idx = [x if x >= 0 else i + x for x in idx]
                h, w = outputs[idx[0]][0], outputs[idx[0]][1]
                c = sum(outputs[x][2] for x in idx)
            elif kind in ('connected', 'conn'):
                n = int(o['output'])
                weighted.append(('fc', n, h * w * c, int(o.get('batch_normalize', 0))))
                h, w, c = 1, 1, n
            elif kind == 'batchnorm':
                weighted.append(('bn', c))
            elif kind in ('avgpool', 'avg'):
                h, w = 1, 1
            elif kind not in ('shortcut', 'yolo', 'region', 'dropout', 'softmax', 'cost', 'detection'):
                raise Exception('cfg section not handled by the cross-check: ' + kind)
            outputs.append((h, w, c))
        assert len(weighted) == len(names), (len(weighted), len(names))

        # -- the .weights, read here
        raw = open(weights_path, 'rb').read()
        major, minor, revision = np.frombuffer(raw[:12], '<i4')
        header = 20 if (major * 10 + minor >= 2 and major < 1000 and minor < 1000) else 16
        floats = np.frombuffer(raw[header:], '<f4')
        assert np.array_equal(floats, synthetic(seed, 0, len(floats))), 'weights are not the seeded floats'
        pos = 0
        def take(k):
            global pos
            a = floats[pos:pos + k]
            pos += k
            return a
        expected = {}
        for name, spec in zip(names, weighted):
            if spec[0] == 'conv':
                _, n, cin, size, bn = spec
                if bn:
                    beta, gamma, mean, var = take(n), take(n), take(n), take(n)
                    entry = {'bn': [gamma, beta, mean, var]}
                else:
                    entry = {'biases': take(n)}
                entry['weights'] = take(n * cin * size * size).reshape(n, cin, size, size).transpose(2, 3, 1, 0)
            elif spec[0] == 'fc':
                _, n, inputs, bn = spec
                bias = take(n)
                entry = {'weights': take(n * inputs).reshape(n, inputs).T}
                if bn:
                    gamma, mean, var = take(n), take(n), take(n)
                    entry['bn'] = [gamma, bias, mean, var]
                else:
                    entry['biases'] = bias
            else:
                _, n = spec
                gamma, mean, var = take(n), take(n), take(n)
                entry = {'bn': [gamma, np.zeros(n, np.float32), mean, var]}
            expected[name] = entry
        assert pos == len(floats), (pos, len(floats))

        def same(got, want):
            return (isinstance(got, np.ndarray) and got.dtype == np.float32 and got.shape == want.shape
                    and got.flags['C_CONTIGUOUS'] and got.tobytes() == np.ascontiguousarray(want).tobytes())

        def check(d):
            assert isinstance(d, dict) and list(d.keys()) == names, list(d.keys())
            for name, entry in expected.items():
                got = d[name]
                assert sorted(got.keys()) == sorted(entry.keys()), (name, sorted(got.keys()))
                for key, want in entry.items():
                    if key == 'bn':
                        assert isinstance(got['bn'], list) and len(got['bn']) == 4, name
                        for g, wnt in zip(got['bn'], want):
                            assert same(g, wnt), (name, key)
                    else:
                        assert same(got[key], want), (name, key, got[key].shape, want.shape)

        check(np.load(npy_path, allow_pickle=True, encoding='latin1').item())
        check(np.load(npy_path, allow_pickle=True).item())

        z = np.load(npz_path, allow_pickle=False)
        want = {}
        for name, entry in expected.items():
            for key, value in entry.items():
                if key == 'bn':
                    for part, v in zip(['gamma', 'beta', 'moving_mean', 'moving_variance'], value):
                        want[name + '/' + part] = v
                else:
                    want[name + '/' + key] = value
        assert sorted(z.files) == sorted(want.keys()), sorted(z.files)
        for key, value in want.items():
            assert same(z[key], value), key
        print('ok', len(names), 'layers')
        """;
}
