using System.Runtime.InteropServices;

/// <summary>Debian's pjreddie darknet (/usr/lib/darknet/libdarknet.so) in-process: its own detector's steps.</summary>
internal static class DarknetNative
{
    public const string Library = "/usr/lib/darknet/libdarknet.so";

    [DllImport(Library, EntryPoint = "load_network")]
    public static extern IntPtr LoadNetwork(string cfg, string weights, int clear);

    [DllImport(Library, EntryPoint = "network_predict")]
    public static extern IntPtr NetworkPredict(IntPtr net, float[] input);

    [DllImport(Library, EntryPoint = "get_network_boxes")]
    public static extern IntPtr GetNetworkBoxes(IntPtr net, int w, int h, float thresh, float hier, IntPtr map, int relative, out int count);

    [DllImport(Library, EntryPoint = "do_nms_sort")]
    public static extern void DoNmsSort(IntPtr dets, int total, int classes, float thresh);

    [DllImport(Library, EntryPoint = "free_detections")]
    public static extern void FreeDetections(IntPtr dets, int count);

    [DllImport(Library, EntryPoint = "free_network")]
    public static extern void FreeNetwork(IntPtr net);

    // darknet.h's struct detection { box bbox; int classes; float *prob; float *mask; float objectness; int sort_class; }
    [StructLayout(LayoutKind.Sequential)]
    public struct Detection
    {
        public float X, Y, W, H;
        public int Classes;
        public IntPtr Prob;
        public IntPtr Mask;
        public float Objectness;
        public int SortClass;
    }
}
