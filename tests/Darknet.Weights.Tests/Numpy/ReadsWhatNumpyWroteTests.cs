using Darknet.Weights;
using Darknet.Weights.Numpy;
using Xunit;
using Darknet.Testing;
using PythonNumpy = Darknet.Testing.Numpy;

namespace Darknet.Weights.Tests.Numpy;

/// <summary>Files written by real numpy (np.save of a dict at its default protocol 3, protocols 2, 4 and 5, Python 2 style strings, np.savez) read back exactly.</summary>
public sealed class ReadsWhatNumpyWroteTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "darknet-numpy-tests", Guid.NewGuid().ToString("N"));

    public ReadsWhatNumpyWroteTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The sample layers, plus a Fortran-order array and a big-endian one (large enough to be read as floats first) (both must come back in C order, native floats).
    internal const string WriteFiles = TestLayers.PythonValues + TestLayers.PythonSample + """
        import sys, os, io, pickle
        out = sys.argv[1]
        expected['fortran_5'] = {'weights': np.asfortranarray(values(19, (3, 2, 4, 5))), 'biases': values(20, (5,))}
        expected['bigendian_6'] = {'weights': values(21, (40, 30)).astype('>f4'), 'biases': values(22, (30,)).astype('>f4')}
        expected['empty_7'] = {'biases': values(23, (0,))}
        assert expected['fortran_5']['weights'].flags['F_CONTIGUOUS'] and not expected['fortran_5']['weights'].flags['C_CONTIGUOUS']

        np.save(os.path.join(out, 'numpy_save.npy'), expected)

        def npy_with_protocol(path, protocol):
            header = io.BytesIO()
            np.lib.format.write_array_header_1_0(header, {'descr': '|O', 'fortran_order': False, 'shape': ()})
            with open(path, 'wb') as f:
                f.write(header.getvalue())
                f.write(pickle.dumps(np.asanyarray(expected), protocol=protocol))
        npy_with_protocol(os.path.join(out, 'protocol2.npy'), 2)
        npy_with_protocol(os.path.join(out, 'protocol4.npy'), 4)
        npy_with_protocol(os.path.join(out, 'protocol5.npy'), 5)  # arrays as _frombuffer(bytearray, ...)

        # Python 2's numpy wrote str and bytes as SHORT_BINSTRING/BINSTRING: what encoding='latin1' is for
        import struct
        class Py2Pickler(pickle._Pickler):
            def save_py2_string(self, obj):
                raw = obj.encode('latin1') if isinstance(obj, str) else obj
                if len(raw) < 256:
                    self.write(pickle.SHORT_BINSTRING + bytes([len(raw)]) + raw)
                else:
                    self.write(pickle.BINSTRING + struct.pack('<i', len(raw)) + raw)
                self.memoize(obj)
            dispatch = pickle._Pickler.dispatch.copy()
            dispatch[bytes] = save_py2_string
            dispatch[str] = save_py2_string
        body = io.BytesIO()
        Py2Pickler(body, protocol=2).dump(np.asanyarray(expected))
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {'descr': '|O', 'fortran_order': False, 'shape': ()})
        with open(os.path.join(out, 'python2_style.npy'), 'wb') as f:
            f.write(header.getvalue() + body.getvalue())
        d = np.load(os.path.join(out, 'python2_style.npy'), allow_pickle=True, encoding='latin1').item()
        assert same(d['conv_big']['weights'], expected['conv_big']['weights'])

        # numpy 2 pickles name numpy._core.multiarray._reconstruct
        with open(os.path.join(out, 'numpy_save.npy'), 'rb') as f:
            data = f.read()
        assert data.count(b'numpy.core.multiarray\n_reconstruct\n') > 0
        with open(os.path.join(out, 'numpy2_names.npy'), 'wb') as f:
            f.write(data.replace(b'numpy.core.multiarray\n_reconstruct\n', b'numpy._core.multiarray\n_reconstruct\n'))

        entries = {}
        for name, layer in expected.items():
            for key, v in layer.items():
                if key == 'bn':
                    for n, a in zip(['gamma', 'beta', 'moving_mean', 'moving_variance'], v):
                        entries[name + '/' + n] = a
                else:
                    entries[name + '/' + key] = v
        np.savez(os.path.join(out, 'savez.npz'), **entries)
        np.savez_compressed(os.path.join(out, 'savez_compressed.npz'), **entries)
        for p in ['protocol2.npy', 'protocol4.npy', 'protocol5.npy']:
            d = np.load(os.path.join(out, p), allow_pickle=True).item()
            assert same(d['conv_big']['weights'], expected['conv_big']['weights'])
        print('ok', np.__version__)

        """;

    internal static List<LayerParameters> Expected()
    {
        var layers = TestLayers.Sample();
        layers.Add(new LayerParameters("fortran_5", TestLayers.Values(19, 3, 2, 4, 5), TestLayers.Values(20, 5), null));
        layers.Add(new LayerParameters("bigendian_6", TestLayers.Values(21, 40, 30), TestLayers.Values(22, 30), null));
        layers.Add(new LayerParameters("empty_7", null, TestLayers.Values(23, 0), null));
        return layers;
    }

    [SkippableFact]
    public void ReadsEveryFileNumpyWrote()
    {
        Assert.StartsWith("ok", PythonNumpy.RunScript(WriteFiles, _dir));
        foreach (var name in new[] { "numpy_save.npy", "protocol2.npy", "protocol4.npy", "protocol5.npy", "python2_style.npy", "numpy2_names.npy", "savez.npz", "savez_compressed.npz" })
        {
            var read = ModelFileReader.ReadFile(Path.Combine(_dir, name));
            ReaderRoundTripTests.AssertSameLayers(Expected(), read);
        }
    }

    [SkippableFact]
    public void Float64ArraysAreRefusedByName()
    {
        PythonNumpy.RunScript("""
            import sys, os, numpy as np
            np.save(os.path.join(sys.argv[1], 'f64.npy'), {'conv_1': {'weights': np.zeros((3, 3, 3, 4)), 'biases': np.zeros(4)}})
            np.savez(os.path.join(sys.argv[1], 'f64.npz'), **{'conv_1/weights': np.zeros((3, 3, 3, 4))})
            np.save(os.path.join(sys.argv[1], 'plain.npy'), np.zeros((2, 2), np.float32))
            """, _dir);
        foreach (var name in new[] { "f64.npy", "f64.npz" })
        {
            var e = Assert.Throws<DarknetException>(() => ModelFileReader.ReadFile(Path.Combine(_dir, name)));
            Assert.Equal(ErrorCodes.UnsupportedArray, e.Code);
            Assert.Contains("float64", e.Message);
        }
        var plain = Assert.Throws<DarknetException>(() => ModelFileReader.ReadFile(Path.Combine(_dir, "plain.npy")));
        Assert.Equal(ErrorCodes.NotLayerDictionary, plain.Code);
        Assert.Contains("<f4 array of shape (2, 2)", plain.Message);
    }
}
