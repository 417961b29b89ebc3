using System.Runtime.InteropServices;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Onnx;

/// <summary>
/// Debian's darknet package (pjreddie's darknet, /usr/lib/darknet/libdarknet.so) called in-process: the reference
/// the exported models are compared with. Outside CI a machine without it skips; with CI=true the tests fail instead,
/// since ./test.sh installs it.
/// </summary>
internal static class DarknetLibrary
{
    private const string Library = "/usr/lib/darknet/libdarknet.so";
    private static readonly object Gate = new();

    [DllImport(Library, EntryPoint = "load_network")]
    private static extern IntPtr LoadNetwork(string cfg, string weights, int clear);

    [DllImport(Library, EntryPoint = "network_predict")]
    private static extern IntPtr NetworkPredict(IntPtr net, float[] input);

    [DllImport(Library, EntryPoint = "free_network")]
    private static extern void FreeNetwork(IntPtr net);

    [DllImport(Library, EntryPoint = "save_weights")]
    private static extern void SaveWeights(IntPtr net, string filename);

    [DllImport(Library, EntryPoint = "get_network_boxes")]
    private static extern IntPtr GetNetworkBoxes(IntPtr net, int w, int h, float thresh, float hier, IntPtr map, int relative, out int count);

    [DllImport(Library, EntryPoint = "do_nms_sort")]
    private static extern void DoNmsSort(IntPtr dets, int total, int classes, float thresh);

    [DllImport(Library, EntryPoint = "free_detections")]
    private static extern void FreeDetections(IntPtr dets, int count);

    // darknet.h's struct detection { box bbox; int classes; float *prob; float *mask; float objectness; int sort_class; }
    [StructLayout(LayoutKind.Sequential)]
    private struct DetectionStruct
    {
        public float X, Y, W, H;
        public int Classes;
        public IntPtr Prob;
        public IntPtr Mask;
        public float Objectness;
        public int SortClass;
    }

    /// <summary>One of darknet's detections: its box (centre, size, relative to the input), objectness and per-class probabilities.</summary>
    public sealed record Detection(float X, float Y, float W, float H, float Objectness, float[] Prob);

    /// <summary>
    /// darknet's own detections for <paramref name="input"/>: network_predict, then get_network_boxes(net, net.w, net.h,
    /// <paramref name="thresh"/>, .5, 0, 1, &amp;n) (boxes relative to the input), then — when <paramref name="nms"/> is
    /// set — do_nms_sort(dets, n, classes, nms), which zeroes the probabilities it suppresses. <paramref name="classes"/> is
    /// the network's: pjreddie's region path leaves each detection's own count unset.
    /// </summary>
    public static IReadOnlyList<Detection> Detect(string cfgPath, string weightsPath, float[] input, int width, int height, int classes, float thresh, float? nms)
    {
        Require();
        lock (Gate)
        {
            var net = LoadNetwork(cfgPath, weightsPath, 0);
            Assert.NotEqual(IntPtr.Zero, net);
            try
            {
                NetworkPredict(net, input);
                var dets = GetNetworkBoxes(net, width, height, thresh, .5f, IntPtr.Zero, 1, out var count);
                try
                {
                    int size = Marshal.SizeOf<DetectionStruct>();
                    if (nms is { } iou && count > 0) DoNmsSort(dets, count, classes, iou);
                    var result = new List<Detection>(count);
                    for (int i = 0; i < count; i++)
                    {
                        var d = Marshal.PtrToStructure<DetectionStruct>(dets + i * size);
                        var prob = new float[classes];
                        Marshal.Copy(d.Prob, prob, 0, classes);
                        result.Add(new Detection(d.X, d.Y, d.W, d.H, d.Objectness, prob));
                    }
                    return result;
                }
                finally
                {
                    FreeDetections(dets, count);
                }
            }
            finally
            {
                FreeNetwork(net);
            }
        }
    }

    // darknet.h's image { int w, h, c; float *data; }: planar, each channel's rows in turn, values in [0, 1].
    // Run in a child process: Debian's libdarknet reads images with the system's OpenCV 4.6 (cv::imread and its libpng),
    // and in this process OpenCvSharp's native library brings OpenCV 4.13 with its own libpng; the two met in one
    // address space crash in png_destroy_read_struct, depending on which test loaded first.
    private const string LetterboxScript = """
        import ctypes, sys
        class Image(ctypes.Structure):
            _fields_ = [("w", ctypes.c_int), ("h", ctypes.c_int), ("c", ctypes.c_int), ("data", ctypes.POINTER(ctypes.c_float))]
        lib = ctypes.CDLL(sys.argv[1])
        lib.load_image_color.restype = Image
        lib.load_image_color.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
        lib.letterbox_image.restype = Image
        lib.letterbox_image.argtypes = [Image, ctypes.c_int, ctypes.c_int]
        lib.free_image.argtypes = [Image]
        image = lib.load_image_color(sys.argv[2].encode(), 0, 0)
        boxed = lib.letterbox_image(image, int(sys.argv[3]), int(sys.argv[4]))
        n = boxed.w * boxed.h * boxed.c
        with open(sys.argv[5], "wb") as f:
            f.write(ctypes.string_at(boxed.data, n * 4))
        print(image.w, image.h, n)
        lib.free_image(boxed)
        lib.free_image(image)
        """;

    /// <summary>
    /// What darknet's detector feeds its network for an image file: load_image_color (RGB, /255), then
    /// letterbox_image to <paramref name="width"/> x <paramref name="height"/>; with the image's own size.
    /// </summary>
    public static (float[] Input, int ImageWidth, int ImageHeight) Letterbox(string imagePath, int width, int height)
    {
        Require();
        Assert.True(File.Exists(imagePath), imagePath); // darknet answers a missing file with a 10x10 image
        var output = Path.Combine(Path.GetTempPath(), $"darknet-letterbox-{Guid.NewGuid():N}.f32");
        try
        {
            var printed = Darknet.Testing.Numpy.RunScript(LetterboxScript, Library, imagePath, width.ToString(), height.ToString(), output)
                .Trim().Split(' ').Select(int.Parse).ToArray();
            var bytes = File.ReadAllBytes(output);
            Assert.Equal(printed[2] * sizeof(float), bytes.Length);
            var input = new float[printed[2]];
            Buffer.BlockCopy(bytes, 0, input, 0, bytes.Length);
            return (input, printed[0], printed[1]);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [DllImport(Library, EntryPoint = "get_paths")]
    private static extern IntPtr GetPaths(string filename);

    /// <summary>
    /// The lines darknet reads from a file with get_paths (what get_labels reads a .names file with: list_to_array of
    /// the same list), each as its bytes decoded from UTF-8.
    /// </summary>
    public static IReadOnlyList<string> ReadLines(string path)
    {
        Require();
        lock (Gate)
        {
            // list { int size; node *front; node *back; }, node { void *val; node *next; node *prev; }
            var list = GetPaths(path);
            Assert.NotEqual(IntPtr.Zero, list);
            int size = Marshal.ReadInt32(list);
            var lines = new List<string>(size);
            for (var node = Marshal.ReadIntPtr(list, IntPtr.Size); node != IntPtr.Zero; node = Marshal.ReadIntPtr(node, IntPtr.Size))
                lines.Add(Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(node))!);
            Assert.Equal(size, lines.Count);
            return lines;
        }
    }

    public static void Require() => Reference.Require(File.Exists(Library), $"{Library} is not installed (apt-get install darknet)");

    /// <summary>
    /// Loads the cfg with the weights file as darknet does and saves what it then holds (save_weights: every layer's
    /// arrays in its loading order, a convolution's weights in its in-memory (out, in, k, k) order even when flipped).
    /// </summary>
    public static void LoadAndSave(string cfgPath, string weightsPath, string savedPath)
    {
        Require();
        lock (Gate)
        {
            var net = LoadNetwork(cfgPath, weightsPath, 0);
            Assert.NotEqual(IntPtr.Zero, net);
            try
            {
                SaveWeights(net, savedPath);
            }
            finally
            {
                FreeNetwork(net);
            }
        }
    }

    /// <summary>Runs the cfg's network on <paramref name="input"/> and returns the last layer's first <paramref name="count"/> outputs.</summary>
    public static float[] Predict(string cfgPath, string weightsPath, float[] input, int count)
    {
        Require();
        lock (Gate) // darknet keeps global state (the RNG, stderr progress): one network at a time
        {
            var net = LoadNetwork(cfgPath, weightsPath, 0);
            Assert.NotEqual(IntPtr.Zero, net);
            try
            {
                var output = NetworkPredict(net, input);
                var result = new float[count];
                Marshal.Copy(output, result, 0, count);
                return result;
            }
            finally
            {
                FreeNetwork(net);
            }
        }
    }
}

/// <summary>The CI rule for real references: skip where missing, except under CI=true, where ./test.sh installed them.</summary>
internal static class Reference
{
    public static void Require(bool available, string why)
    {
        if (available) return;
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (ci) throw new InvalidOperationException(why + ", and under CI this cross-check must run (./test.sh installs it)");
        Skip.If(true, why);
    }

    /// <summary>Debian's /usr/bin/python3 can import <paramref name="module"/> (from the apt package <paramref name="package"/>).</summary>
    public static void RequirePythonModule(string module, string package) =>
        Require(PythonImports(module), $"{Darknet.Testing.Numpy.Python} cannot import {module} (apt-get install {package})");

    private static bool PythonImports(string module)
    {
        if (!File.Exists(Darknet.Testing.Numpy.Python)) return false;
        return ProcessRun.Run(Darknet.Testing.Numpy.Python, "-c", "import " + module).Exit == 0;
    }
}
