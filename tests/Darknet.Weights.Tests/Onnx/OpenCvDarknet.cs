using Darknet.Testing;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// OpenCV's Darknet importer (Debian's python3-opencv, cv2.dnn.readNetFromDarknet): the reference for AlexeyAB cfgs,
/// which Debian's darknet (pjreddie's) cannot load. Returns the outputs of the named OpenCV layers on one NCHW input.
/// </summary>
internal static class OpenCvDarknet
{
    private const string Script = """
        import sys
        import cv2, numpy as np
        cfg, weights, input_path, out_dir, c, h, w = sys.argv[1:8]
        names = sys.argv[8:]
        net = cv2.dnn.readNetFromDarknet(cfg, weights)
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        x = np.fromfile(input_path, dtype='<f4').reshape(1, int(c), int(h), int(w))
        net.setInput(x)
        known = set(net.getLayerNames())
        missing = [n for n in names if n not in known]
        if missing:
            sys.exit("no such OpenCV layers: %s; layers: %s" % (missing, list(net.getLayerNames())))
        outs = net.forward(names)
        for i, o in enumerate(outs):
            np.ascontiguousarray(o, dtype='<f4').tofile('%s/%d.bin' % (out_dir, i))
            print(i, o.shape)
        """;

    public static void Require() => Reference.RequirePythonModule("cv2", "python3-opencv");

    public static float[][] Forward(TestNetwork network, string folder, params string[] layerNames) =>
        Forward(network.CfgPath, network.WeightsPath, network.Input, network.Layout.Channels, network.Height, network.Width, folder, layerNames);

    public static float[][] Forward(string cfgPath, string weightsPath, float[] input, int channels, int height, int width, string folder, params string[] layerNames)
    {
        Require();
        var inputPath = Path.Combine(folder, "input.bin");
        var bytes = new byte[input.Length * 4];
        Buffer.BlockCopy(input, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(inputPath, bytes);
        var args = new List<string> { cfgPath, weightsPath, inputPath, folder, channels.ToString(), height.ToString(), width.ToString() };
        args.AddRange(layerNames);
        Darknet.Testing.Numpy.RunScript(Script, args.ToArray());
        return layerNames.Select((_, i) =>
        {
            var raw = File.ReadAllBytes(Path.Combine(folder, i + ".bin"));
            var values = new float[raw.Length / 4];
            Buffer.BlockCopy(raw, 0, values, 0, raw.Length);
            return values;
        }).ToArray();
    }
}
