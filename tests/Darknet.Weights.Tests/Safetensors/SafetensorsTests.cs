using System.Text;
using Darknet.Testing;
using Darknet.Weights.Layout;
using Darknet.Weights.Numpy;
using Darknet.Weights.Tests.Conversion;
using Xunit;

namespace Darknet.Weights.Tests.Safetensors;

public sealed class SafetensorsTests
{
    // Batch-norm convs, a plain conv, a [connected] with batch norm, and a standalone [batchnorm]: every array kind.
    private const string Cfg = """
        [net]
        width=8
        height=8
        channels=3

        [convolutional]
        batch_normalize=1
        filters=4
        size=3
        stride=2
        pad=1
        activation=leaky

        [convolutional]
        filters=6
        size=1
        activation=linear

        [batchnorm]

        [connected]
        output=5
        batch_normalize=1
        activation=relu
        """;

    private static (TempDirectory Dir, string Safetensors, string Npz) Convert()
    {
        var dir = new TempDirectory();
        var layout = NetworkLayout.FromCfg(Cfg, "mixed.cfg");
        var weights = dir.File("mixed.weights");
        SyntheticWeights.WriteFile(weights, layout.FloatCount());
        var safetensors = dir.File("mixed.safetensors");
        var npz = dir.File("mixed.npz");
        DarknetConverter.ConvertFile(layout, weights, safetensors, new ConversionOptions { Format = OutputFormat.Safetensors });
        DarknetConverter.ConvertFile(layout, weights, npz, new ConversionOptions { Format = OutputFormat.Npz });
        return (dir, safetensors, npz);
    }

    [Fact]
    public void The_bytes_follow_the_format()
    {
        var (dir, path, _) = Convert();
        using var _ = dir;
        var bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"darknet\",\"producer\":\"Darknet.Weights ", header);
        Assert.EndsWith("}", header.TrimEnd(' '));
        Assert.True(header.Length - header.TrimEnd(' ').Length < 8, "padding is fewer than 8 spaces");
        Assert.Contains("\"conv_1/weights\":{\"dtype\":\"F32\",\"shape\":[3,3,3,4],\"data_offsets\":[0,432]}", header);
        Assert.Contains("\"conv_1/gamma\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[432,448]}", header);
    }

    [SkippableFact]
    public void Numpy_reads_every_tensor_at_its_offsets_equal_to_the_npz()
    {
        var (dir, path, npz) = Convert();
        using var _ = dir;
        var printed = Darknet.Testing.Numpy.RunScript("""
            import json, struct, sys
            import numpy as np
            path, npz = sys.argv[1], sys.argv[2]
            raw = open(path, 'rb').read()
            (n,) = struct.unpack('<Q', raw[:8])
            header = json.loads(raw[8:8 + n].decode('utf-8'))
            meta = header.pop('__metadata__')
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()), meta
            data = raw[8 + n:]
            end = 0
            for name, t in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
                b, e = t['data_offsets']
                assert b == end, (name, b, end)
                end = e
            assert end == len(data), (end, len(data))
            ref = np.load(npz)
            assert sorted(ref.files) == sorted(k + '.npy' for k in header) or sorted(ref.files) == sorted(header), (ref.files, list(header))
            for name, t in header.items():
                assert t['dtype'] == 'F32'
                b, e = t['data_offsets']
                a = np.frombuffer(data[b:e], dtype='<f4').reshape(t['shape'])
                assert np.array_equal(a, ref[name]), name
            print(len(header), meta['format'])
            """, path, npz);
        Assert.Equal("16 darknet", printed.Trim());
    }

    [Fact]
    public void The_reader_library_reads_it_back_as_the_npz_reads()
    {
        var (dir, path, npz) = Convert();
        using var _ = dir;
        var fromSafetensors = ModelFileReader.ReadFile(path);
        var fromNpz = ModelFileReader.ReadFile(npz);
        Assert.Equal(fromNpz.Select(l => l.Name), fromSafetensors.Select(l => l.Name));
        for (int i = 0; i < fromNpz.Count; i++)
        {
            var a = fromNpz[i];
            var b = fromSafetensors[i];
            Assert.Equal(a.Weights?.Shape, b.Weights?.Shape);
            Assert.Equal(a.Weights?.Data, b.Weights?.Data);
            Assert.Equal(a.Biases?.Data, b.Biases?.Data);
            Assert.Equal(a.BatchNorm?.Select(t => t.Data), b.BatchNorm?.Select(t => t.Data));
        }
    }

    [Theory]
    [InlineData("{\"a/weights\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", "DKN3004", "only F32")]
    [InlineData("{\"a/weights\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", "DKN3001", "needs 8 bytes")]
    [InlineData("{\"a/weights\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "DKN3001", "contiguous")]
    [InlineData("{\"a/weights\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}", "DKN3001", "header JSON")]
    public void A_damaged_file_is_a_coded_error(string header, string code, string message)
    {
        using var dir = new TempDirectory();
        while (header.Length % 8 != 0) header += " ";
        var file = dir.File("bad.safetensors");
        using (var stream = File.Create(file))
        {
            stream.Write(BitConverter.GetBytes((long)header.Length));
            stream.Write(Encoding.UTF8.GetBytes(header));
            stream.Write(new byte[8]);
        }
        var e = Assert.Throws<DarknetException>(() => ModelFileReader.ReadFile(file));
        Assert.Equal(code, e.Code);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("per_feature")]
    [InlineData("per_channel")]
    public void Weighted_shortcuts_round_trip_like_the_npz(string weightsType)
    {
        using var dir = new TempDirectory();
        var cfg = "[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=4\nsize=1\n[convolutional]\nfilters=4\nsize=1\n" +
                  $"[shortcut]\nfrom=-2\nweights_type={weightsType}\n";
        var layout = NetworkLayout.FromCfg(cfg, "weighted.cfg");
        var weights = dir.File("w.weights");
        SyntheticWeights.WriteFile(weights, layout.FloatCount());
        DarknetConverter.ConvertFile(layout, weights, dir.File("w.safetensors"), new ConversionOptions { Format = OutputFormat.Safetensors });
        DarknetConverter.ConvertFile(layout, weights, dir.File("w.npz"), new ConversionOptions { Format = OutputFormat.Npz });
        var a = ModelFileReader.ReadFile(dir.File("w.npz"));
        var b = ModelFileReader.ReadFile(dir.File("w.safetensors"));
        Assert.Equal(a.Select(l => l.Name), b.Select(l => l.Name));
        Assert.Equal(a.Select(l => l.Weights?.ShapeText), b.Select(l => l.Weights?.ShapeText));
        Assert.Equal(a[2].Weights!.Data, b[2].Weights!.Data);
    }
}
