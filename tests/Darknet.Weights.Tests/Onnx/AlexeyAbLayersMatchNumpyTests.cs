using System.Globalization;
using Darknet.Weights.Layout;
using Darknet.Weights.Onnx;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Xunit.Abstractions;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// AlexeyAB's layers and options that neither Debian's darknet (pjreddie's) nor OpenCV's importer reads — [reorg3d],
/// [local_avgpool], [Gaussian_yolo], stride_x ≠ stride_y — against python transcriptions of AlexeyAB's own C loops (each
/// function below names the one it transcribes, AlexeyAB/darknet src/…), run on a small cfg whose only layer is the one
/// under test, on an input spanning negative and positive values.
/// </summary>
public sealed class AlexeyAbLayersMatchNumpyTests
{
    private const string Script = """
        import sys, json, math
        import numpy as np
        kind, input_path, weights_path, out_path, params = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
        c, h, w = params["c"], params["h"], params["w"]
        x = np.fromfile(input_path, dtype='<f4')
        f32 = np.float32

        # src/blas.c reorg_cpu, called by src/reorg_layer.c forward_reorg_layer (the [reorg3d] section) as
        # reorg_cpu(state.input, l.out_w, l.out_h, l.out_c, l.batch, l.stride, 0, l.output)
        def reorg_cpu(x, out_w, out_h, out_c, batch, stride, forward):
            out = np.zeros(out_w * out_h * out_c * batch, dtype=f32)
            in_c = out_c // (stride * stride)
            for b in range(batch):
                for k in range(out_c):
                    for j in range(out_h):
                        for i in range(out_w):
                            in_index = i + out_w * (j + out_h * (k + out_c * b))
                            c2 = k % in_c
                            offset = k // in_c
                            w2 = i * stride + offset % stride
                            h2 = j * stride + offset // stride
                            out_index = w2 + out_w * stride * (h2 + out_h * stride * (c2 + in_c * b))
                            if forward: out[out_index] = x[in_index]
                            else: out[in_index] = x[out_index]
            return out

        # src/maxpool_layer.c make_maxpool_layer's sizes: out = (in + padding - size) / stride + 1
        def pool_sizes(p):
            return (h + p["padding"] - p["size"]) // p["stride_y"] + 1, (w + p["padding"] - p["size"]) // p["stride_x"] + 1

        # src/maxpool_layer.c forward_local_avgpool_layer
        def forward_local_avgpool_layer(x, p):
            out_h, out_w = pool_sizes(p)
            size, pad, stride_x, stride_y = p["size"], p["padding"], p["stride_x"], p["stride_y"]
            w_offset = -(pad // 2); h_offset = -(pad // 2)
            out = np.zeros(c * out_h * out_w, dtype=f32)
            for k in range(c):
                for i in range(out_h):
                    for j in range(out_w):
                        out_index = j + out_w * (i + out_h * k)
                        avg = f32(0); counter = 0
                        for n in range(size):
                            for m in range(size):
                                cur_h = h_offset + i * stride_y + n
                                cur_w = w_offset + j * stride_x + m
                                index = cur_w + w * (cur_h + h * k)
                                if 0 <= cur_h < h and 0 <= cur_w < w:
                                    counter += 1
                                    avg = f32(avg + x[index])
                        out[out_index] = f32(avg / f32(counter))
            return out

        # src/maxpool_layer.c forward_maxpool_layer, the loop taken when stride_x != stride_y
        def forward_maxpool_layer(x, p):
            out_h, out_w = pool_sizes(p)
            size, pad, stride_x, stride_y = p["size"], p["padding"], p["stride_x"], p["stride_y"]
            w_offset = -(pad // 2); h_offset = -(pad // 2)
            out = np.zeros(c * out_h * out_w, dtype=f32)
            for k in range(c):
                for i in range(out_h):
                    for j in range(out_w):
                        best = -np.finfo(f32).max
                        for n in range(size):
                            for m in range(size):
                                cur_h = h_offset + i * stride_y + n
                                cur_w = w_offset + j * stride_x + m
                                valid = 0 <= cur_h < h and 0 <= cur_w < w
                                val = x[cur_w + w * (cur_h + h * k)] if valid else -np.finfo(f32).max
                                best = val if val > best else best
                        out[j + out_w * (i + out_h * k)] = best
            return out

        # src/im2col.c im2col_cpu_ext, called by src/convolutional_layer.c forward_convolutional_layer with
        # (l.size, l.size), (l.pad, l.pad), (l.stride_y, l.stride_x), dilation 1
        def im2col_cpu_ext(im, channels, height, width, kernel, pad, stride_h, stride_w):
            output_h = (height + 2 * pad - kernel) // stride_h + 1
            output_w = (width + 2 * pad - kernel) // stride_w + 1
            col = []
            for channel in range(channels):
                for kernel_row in range(kernel):
                    for kernel_col in range(kernel):
                        input_row = -pad + kernel_row
                        for _ in range(output_h):
                            input_col = -pad + kernel_col
                            for _ in range(output_w):
                                inside = 0 <= input_row < height and 0 <= input_col < width
                                col.append(im[channel * height * width + input_row * width + input_col] if inside else 0)
                                input_col += stride_w
                            input_row += stride_h
            return np.array(col, dtype=f32).reshape(channels * kernel * kernel, output_h * output_w), output_h, output_w

        # src/convolutional_layer.c forward_convolutional_layer (no batch norm, groups 1): im2col, gemm, add_bias,
        # activate; the weights as src/parser.c load_convolutional_weights reads them: biases, then n·c·size² weights
        def forward_convolutional_layer(x, p):
            n, size, pad = p["filters"], p["size"], p["padding"]
            data = np.fromfile(weights_path, dtype='<f4', offset=20)
            biases, weights = data[:n], data[n:n + n * c * size * size].reshape(n, c * size * size)
            b, out_h, out_w = im2col_cpu_ext(x, c, h, w, size, pad, p["stride_y"], p["stride_x"])
            out = np.zeros((n, out_h * out_w), dtype=f32)
            for i in range(n):              # gemm(0,0,m,n,k,1,a,k,b,n,1,c,n): c[i][j] += a[i][k]·b[k][j], k innermost
                for kk in range(b.shape[0]):
                    out[i] = out[i] + weights[i, kk] * b[kk]
                out[i] = out[i] + biases[i]
            if p["activation"] == "leaky": out = np.where(out > 0, out, f32(.1) * out).astype(f32)
            return out.reshape(-1)

        # src/gaussian_yolo_layer.c forward_gaussian_yolo_layer (CPU) with entry_gaussian_index, activate_array(LOGISTIC)
        # and src/blas.c scal_add_cpu
        def forward_gaussian_yolo_layer(x, p):
            classes, n, s = p["classes"], p["anchors"], f32(p["scale_x_y"])
            out = x.copy()
            def entry_gaussian_index(location, entry):
                nn = location // (w * h); loc = location % (w * h)
                return nn * w * h * (8 + classes + 1) + entry * w * h + loc
            def logistic(index, count):
                out[index:index + count] = (1. / (1. + np.exp(-out[index:index + count].astype(np.float64)))).astype(f32)
            def scal_add(index, count, alpha, beta):
                out[index:index + count] = (out[index:index + count] * alpha + beta).astype(f32)
            for a in range(n):
                index = entry_gaussian_index(a * w * h, 0)
                logistic(index, 2 * w * h)
                scal_add(index, w * h, s, f32(-0.5 * (s - 1)))
                index = entry_gaussian_index(a * w * h, 2)
                logistic(index, 2 * w * h)
                scal_add(index, w * h, s, f32(-0.5 * (s - 1)))
                logistic(entry_gaussian_index(a * w * h, 5), w * h)
                logistic(entry_gaussian_index(a * w * h, 7), w * h)
                logistic(entry_gaussian_index(a * w * h, 8), (1 + classes) * w * h)
            return out

        if kind == "reorg3d":
            s = params["stride"]
            out = reorg_cpu(x, w // s, h // s, c * s * s, 1, s, 0)
        elif kind == "local_avgpool": out = forward_local_avgpool_layer(x, params)
        elif kind == "maxpool": out = forward_maxpool_layer(x, params)
        elif kind == "convolutional": out = forward_convolutional_layer(x, params)
        elif kind == "Gaussian_yolo": out = forward_gaussian_yolo_layer(x, params)
        out.astype('<f4').tofile(out_path)
        """;

    private readonly ITestOutputHelper _output;

    public AlexeyAbLayersMatchNumpyTests(ITestOutputHelper output) => _output = output;

    private static string Net(int c, int h, int w) => $"[net]\nwidth={w}\nheight={h}\nchannels={c}\n";

    /// <summary>what, cfg, the transcription to run, its parameters (JSON, with the input's c, h, w added).</summary>
    public static TheoryData<string, string, string, string> Cases() => new()
    {
        { "reorg3d stride 2", Net(3, 8, 12) + "[reorg3d]\nstride=2\n", "reorg3d", "\"stride\": 2" },
        { "reorg3d stride 3", Net(2, 9, 6) + "[reorg3d]\nstride=3\n", "reorg3d", "\"stride\": 3" },
        { "local_avgpool size 3 stride 2 (padding 2)", Net(3, 9, 12) + "[local_avgpool]\nsize=3\nstride=2\n", "local_avgpool", Pool(3, 2, 2, 2) },
        { "local_avgpool size 2 stride 1 (padding 1, after)", Net(3, 7, 8) + "[local_avgpool]\nsize=2\nstride=1\n", "local_avgpool", Pool(2, 1, 1, 1) },
        { "local_avgpool size 5 stride 1 padding 3", Net(2, 6, 7) + "[local_avgpool]\nsize=5\nstride=1\npadding=3\n", "local_avgpool", Pool(5, 3, 1, 1) },
        { "local_avgpool stride_x=2 stride_y=1", Net(3, 7, 10) + "[local_avgpool]\nsize=3\nstride_x=2\nstride_y=1\npadding=1\n", "local_avgpool", Pool(3, 1, 2, 1) },
        { "maxpool stride_x=2 stride_y=1", Net(3, 7, 10) + "[maxpool]\nsize=2\nstride_x=2\nstride_y=1\n", "maxpool", Pool(2, 1, 2, 1) },
        { "maxpool stride_x=1 stride_y=3 size 3", Net(3, 10, 7) + "[maxpool]\nsize=3\nstride_x=1\nstride_y=3\n", "maxpool", Pool(3, 2, 1, 3) },
        { "conv stride_x=2 stride_y=1, padded, leaky", Net(3, 7, 10) + "[convolutional]\nfilters=4\nsize=3\nstride_x=2\nstride_y=1\npad=1\nactivation=leaky\n",
            "convolutional", Conv(4, 3, 1, 2, 1, "leaky") },
        { "conv stride_x=1 stride_y=2, unpadded", Net(2, 9, 6) + "[convolutional]\nfilters=3\nsize=3\nstride=5\nstride_x=1\nstride_y=2\nactivation=linear\n",
            "convolutional", Conv(3, 3, 0, 1, 2, "linear") },
        { "Gaussian_yolo, scale_x_y=1.2", Net(2 * 11, 3, 4) + "[Gaussian_yolo]\nmask=1,2\nanchors=1,2,3,4,5,6\nclasses=2\nnum=3\nscale_x_y=1.2\n",
            "Gaussian_yolo", "\"classes\": 2, \"anchors\": 2, \"scale_x_y\": 1.2" },
        { "Gaussian_yolo, one anchor, no scale_x_y", Net(12, 4, 3) + "[Gaussian_yolo]\nmask=0\nanchors=1,2\nclasses=3\nnum=1\n",
            "Gaussian_yolo", "\"classes\": 3, \"anchors\": 1, \"scale_x_y\": 1" },
    };

    private static string Pool(int size, int padding, int strideX, int strideY) =>
        $"\"size\": {size}, \"padding\": {padding}, \"stride_x\": {strideX}, \"stride_y\": {strideY}";

    private static string Conv(int filters, int size, int padding, int strideX, int strideY, string activation) =>
        $"\"filters\": {filters}, \"size\": {size}, \"padding\": {padding}, \"stride_x\": {strideX}, \"stride_y\": {strideY}, \"activation\": \"{activation}\"";

    /// <summary>
    /// The real cfgs with these layers (no reference reads them whole): exported, run by ONNX Runtime at a small size, one
    /// output per head of the layout's shape, every value finite.
    /// </summary>
    [SkippableTheory]
    [InlineData("yolov4-sam-mish-csp-reorg-bfm.cfg", 128, 128)]
    [InlineData("yolov4-tiny_contrastive.cfg", 128, 96)]
    [InlineData("Gaussian_yolov3_BDD.cfg", 128, 96)]
    public void The_whole_cfg_runs_in_onnx_runtime(string cfg, int width, int height)
    {
        using var temp = new TempDirectory();
        var network = new TestNetwork(temp, Darknet.Testing.SharedFiles.RequireAlexeyAbCfg(cfg), width, height);
        OnnxExporter.ExportFile(network.CfgPath, network.WeightsPath, network.OnnxPath);
        var outputs = OnnxRun.Run(network.OnnxPath, network.Input, network.Layout.Channels, height, width);
        var heads = network.Layout.Layers.Where(l => l.Type is LayerType.Yolo or LayerType.GaussianYolo).ToList();
        Assert.Equal(heads.Select(l => (l.Type == LayerType.Yolo ? "yolo_" : "Gaussian_yolo_") + l.Index), outputs.Select(o => o.Name));
        for (int i = 0; i < heads.Count; i++)
        {
            var (name, shape, values) = outputs[i];
            Assert.Equal(new[] { 1, heads[i].OutputChannels, heads[i].OutputHeight, heads[i].OutputWidth }, shape);
            Assert.All(values, v => Assert.True(float.IsFinite(v)));
            _output.WriteLine($"{cfg} {name} [{string.Join(",", shape)}]: finite, |value| up to {values.Max(Math.Abs):G4}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void The_output_equals_the_transcription_of_darknets_loop(string what, string cfgText, string kind, string parameters)
    {
        Darknet.Testing.Numpy.Require();
        using var temp = new TempDirectory();
        var source = temp.File("case.cfg");
        File.WriteAllText(source, cfgText);
        var network = new TestNetwork(temp, source, network: true);
        OnnxExporter.ExportFile(network.CfgPath, network.WeightsPath, network.OnnxPath);
        int c = network.Layout.Channels;
        var input = network.Input.Select(v => 4 * v - 2).ToArray();
        var (name, shape, values) = Assert.Single(OnnxRun.Run(network.OnnxPath, input, c, network.Height, network.Width));
        var layer = network.Layout.Layers[^1];
        Assert.Equal(new[] { 1, layer.OutputChannels, layer.OutputHeight, layer.OutputWidth }, shape);

        var inputPath = temp.File("input.bin");
        var bytes = new byte[input.Length * 4];
        Buffer.BlockCopy(input, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(inputPath, bytes);
        var outPath = temp.File("expected.bin");
        var json = string.Create(CultureInfo.InvariantCulture, $"{{\"c\": {c}, \"h\": {network.Height}, \"w\": {network.Width}, {parameters}}}");
        Darknet.Testing.Numpy.RunScript(Script, kind, inputPath, network.WeightsPath, outPath, json);
        var raw = File.ReadAllBytes(outPath);
        var expected = new float[raw.Length / 4];
        Buffer.BlockCopy(raw, 0, expected, 0, raw.Length);

        var error = OnnxRun.MaxRelativeError(values, expected);
        _output.WriteLine($"{what}: {name} [{string.Join(",", shape)}] max relative error {error:E2} (max |value| {expected.Max(Math.Abs):G4})");
        Assert.True(error <= MatchesDarknetTests.Tolerance, $"{what}: max relative error {error:E3}");
    }
}
