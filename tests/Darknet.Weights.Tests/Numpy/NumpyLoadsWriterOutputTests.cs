using PythonNumpy = Darknet.Testing.Numpy;
using Darknet.Weights;
using Darknet.Weights.Numpy;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Numpy;

/// <summary>Real numpy (Debian's python3-numpy) loads what the writers produce, with exactly the values it computes itself.</summary>
public class NumpyLoadsWriterOutputTests
{
    [SkippableFact]
    public void NpyDictionaryLoadsWithAndWithoutLatin1Encoding()
    {
        var path = TestLayers.TempFile(".npy");
        try
        {
            File.WriteAllBytes(path, TestLayers.Write(OutputFormat.Npy, TestLayers.Sample()));
            var output = PythonNumpy.RunScript(TestLayers.PythonValues + TestLayers.PythonSample + """
                import sys
                def check(d):
                    assert isinstance(d, dict), type(d)
                    assert list(d.keys()) == list(expected.keys()), list(d.keys())
                    for name, layer in expected.items():
                        got = d[name]
                        assert sorted(got.keys()) == sorted(layer.keys()), (name, got.keys())
                        for key, want in layer.items():
                            if key == 'bn':
                                assert isinstance(got['bn'], list) and len(got['bn']) == 4, name
                                for g, w in zip(got['bn'], want):
                                    assert same(g, w), (name, key)
                            else:
                                assert same(got[key], want), (name, key)
                                assert got[key].flags['C_CONTIGUOUS']
                a = np.load(sys.argv[1], allow_pickle=True, encoding='latin1')
                assert a.dtype == object and a.shape == (), (a.dtype, a.shape)
                check(a.item())
                check(np.load(sys.argv[1], allow_pickle=True).item())
                print('ok', np.__version__)
                """, path);
            Assert.StartsWith("ok", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void NpzLoadsWithoutPickle()
    {
        var path = TestLayers.TempFile(".npz");
        try
        {
            File.WriteAllBytes(path, TestLayers.Write(OutputFormat.Npz, TestLayers.Sample()));
            var output = PythonNumpy.RunScript(TestLayers.PythonValues + TestLayers.PythonSample + """
                import sys, zipfile
                names = ['gamma', 'beta', 'moving_mean', 'moving_variance']
                want = {}
                for name, layer in expected.items():
                    for key, v in layer.items():
                        if key == 'bn':
                            for n, a in zip(names, v):
                                want[name + '/' + n] = a
                        else:
                            want[name + '/' + key] = v
                with np.load(sys.argv[1], allow_pickle=False) as z:
                    assert list(z.keys()) == list(want.keys()), list(z.keys())
                    for k, v in want.items():
                        assert same(z[k], v), k
                with zipfile.ZipFile(sys.argv[1]) as zf:
                    print('ok', set(i.compress_type for i in zf.infolist()))
                """, path);
            Assert.StartsWith("ok", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void NpzWrittenToAStreamThatCannotSeekLoads()
    {
        // Without seeking back, the zip carries each entry's sizes and CRC in a data descriptor after the data.
        var path = TestLayers.TempFile(".npz");
        try
        {
            using (var file = File.Create(path))
            using (var sink = new NpzWriter(new WriteOnlyStream(file)))
            {
                foreach (var l in TestLayers.Sample()) sink.Write(l);
                sink.Complete();
            }
            var output = PythonNumpy.RunScript(TestLayers.PythonValues + TestLayers.PythonSample + """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1]) as zf:
                    assert all(i.flag_bits & 0x08 for i in zf.infolist()), 'expected data descriptors'
                with np.load(sys.argv[1], allow_pickle=False) as z:
                    assert same(z['conv_big/weights'], expected['conv_big']['weights'])
                    assert same(z['conv_2/biases'], expected['conv_2']['biases'])
                    assert same(z['batchnorm_3/moving_variance'], expected['batchnorm_3']['bn'][3])
                print('ok')
                """, path);
            Assert.StartsWith("ok", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void NpzEntriesAreByteForByteWhatNumpySaves()
    {
        var layer = new LayerParameters("conv_1", TestLayers.Values(1, 3, 3, 3, 4), TestLayers.Values(2, 4), null);
        var path = TestLayers.TempFile(".npz");
        try
        {
            File.WriteAllBytes(path, TestLayers.Write(OutputFormat.Npz, new[] { layer }));
            var output = PythonNumpy.RunScript(TestLayers.PythonValues + """
                import sys, io, zipfile
                def saved(a):
                    b = io.BytesIO(); np.save(b, a); return b.getvalue()
                with zipfile.ZipFile(sys.argv[1]) as zf:
                    assert zf.read('conv_1/weights.npy') == saved(values(1, (3, 3, 3, 4)))
                    assert zf.read('conv_1/biases.npy') == saved(values(2, (4,)))
                print('ok')
                """, path);
            Assert.StartsWith("ok", output);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
