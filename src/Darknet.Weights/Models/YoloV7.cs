using Darknet.Weights.Layout;

namespace Darknet.Weights.Models;

/// <summary>
/// YOLOv7, YOLOv7x and YOLOv7-tiny described in code; they mirror AlexeyAB's yolov7.cfg, yolov7x.cfg and
/// yolov7-tiny.cfg (the cfgs the published yolov7*.weights belong to). Their heads decode with new_coords=1 (the
/// detection conv is logistic already) and scale_x_y=2.
/// </summary>
internal static class YoloV7
{
    private const string Swish = "swish";

    /// <summary>
    /// yolov7.cfg (swish): a stem of four 3×3 convs, four ELAN stages (two 3×3 pairs each) joined by max-pool/stride-2
    /// downsamples, SPPCSPC, and an ELAN path down to stride 8 and back up, with three detection scales at strides 8,
    /// 16 and 32.
    /// </summary>
    public static NetworkLayout Full(int size = 640, int classes = 80) =>
        new LayoutBuilder(size, size)
            .Conv(32, 3, 1, Swish).Conv(64, 3, 2, Swish).Conv(64, 3, 1, Swish).Conv(128, 3, 2, Swish)
            .Elan(64, 256, pairs: 2)                                      // layer 12, stride 4
            .Downsample(128).Elan(128, 512, pairs: 2)                     // layer 27, stride 8
            .Downsample(256).Elan(256, 1024, pairs: 2)                    // layer 42, stride 16
            .Downsample(512).Elan(256, 1024, pairs: 2)                    // layer 57, stride 32
            .SppCspc(512)                                                 // layer 72
            .UpsampleAndRoute(256, 42).ElanHead(256, 128)                 // layer 86
            .UpsampleAndRoute(128, 27).ElanHead(128, 64)                  // layer 100
            .Downsample(128, 86).ElanHead(256, 128)                       // layer 115
            .Downsample(256, 72).ElanHead(512, 256)                       // layer 130
            .DetectionScale(100, 256, Head(classes, Anchors, 0, 1, 2))
            .DetectionScale(115, 512, Head(classes, Anchors, 3, 4, 5))
            .DetectionScale(130, 1024, Head(classes, Anchors, 6, 7, 8))
            .Build();

    /// <summary>
    /// yolov7x.cfg (swish): yolov7 wider (stem of 40 and 80 filters) and deeper (ELAN blocks of three 3×3 pairs, the
    /// head's too).
    /// </summary>
    public static NetworkLayout X(int size = 640, int classes = 80) =>
        new LayoutBuilder(size, size)
            .Conv(40, 3, 1, Swish).Conv(80, 3, 2, Swish).Conv(80, 3, 1, Swish).Conv(160, 3, 2, Swish)
            .Elan(64, 320, pairs: 3)                                      // layer 14, stride 4
            .Downsample(160).Elan(128, 640, pairs: 3)                     // layer 31, stride 8
            .Downsample(320).Elan(256, 1280, pairs: 3)                    // layer 48, stride 16
            .Downsample(640).Elan(256, 1280, pairs: 3)                    // layer 65, stride 32
            .SppCspc(640)                                                 // layer 80
            .UpsampleAndRoute(320, 48).Elan(256, 320, pairs: 3)           // layer 96
            .UpsampleAndRoute(160, 31).Elan(128, 160, pairs: 3)           // layer 112
            .Downsample(160, 96).Elan(256, 320, pairs: 3)                 // layer 129
            .Downsample(320, 80).Elan(512, 640, pairs: 3)                 // layer 146
            .DetectionScale(112, 320, Head(classes, Anchors, 0, 1, 2))
            .DetectionScale(129, 640, Head(classes, Anchors, 3, 4, 5))
            .DetectionScale(146, 1280, Head(classes, Anchors, 6, 7, 8))
            .Build();

    /// <summary>
    /// yolov7-tiny.cfg (leaky): two stride-2 convs, four tiny ELAN blocks with max-pools, a tiny SPPCSPC, and a tiny-ELAN
    /// path down to stride 8 and back up, with three detection scales at strides 8, 16 and 32 (YOLOv3's anchors).
    /// </summary>
    public static NetworkLayout Tiny(int size = 416, int classes = 80) =>
        new LayoutBuilder(size, size)
            .Conv(32, 3, 2).Conv(64, 3, 2)
            .TinyElan(32).MaxPool(2, 2)                                   // ELAN output: layer 8
            .TinyElan(64).MaxPool(2, 2)                                   // layer 16, stride 8
            .TinyElan(128).MaxPool(2, 2)                                  // layer 24, stride 16
            .TinyElan(256)                                                // layer 32, stride 32
            .TinySppCspc(256)                                             // layer 44
            .Conv(128, 1).Upsample(2).Route(24).Conv(128, 1).Route(-1, -3).TinyElan(64)   // layer 56
            .Conv(64, 1).Upsample(2).Route(16).Conv(64, 1).Route(-1, -3).TinyElan(32)     // layer 68
            .Conv(128, 3, 2).Route(-1, 56).TinyElan(64)                   // layer 77
            .Conv(256, 3, 2).Route(-1, 44).TinyElan(128)                  // layer 86
            .DetectionScale(68, 128, Head(classes, YoloV3.Anchors, 0, 1, 2), "leaky")
            .DetectionScale(77, 256, Head(classes, YoloV3.Anchors, 3, 4, 5), "leaky")
            .DetectionScale(86, 512, Head(classes, YoloV3.Anchors, 6, 7, 8), "leaky")
            .Build();

    /// <summary>yolov7.cfg's and yolov7x.cfg's nine anchors (w, h in pixels at 640×640): YOLOv4's.</summary>
    public static float[] Anchors => YoloV4.Anchors;

    private static DetectionHead Head(int classes, float[] anchors, params int[] mask) =>
        DetectionHead.Yolo(classes, anchors, mask, scaleXY: 2f, newCoords: true);

    /// <summary>
    /// An ELAN block (swish): a 1×1 conv; back to the block's input (route -2) and a 1×1 conv followed by
    /// <paramref name="pairs"/> pairs of 3×3 convs; the first 1×1 conv, the second and the end of every pair concatenated
    /// (newest first), then a 1×1 conv to <paramref name="output"/>.
    /// </summary>
    private static LayoutBuilder Elan(this LayoutBuilder b, int mid, int output, int pairs)
    {
        b.Conv(mid, 1, 1, Swish).Route(-2).Conv(mid, 1, 1, Swish);
        for (var i = 0; i < 2 * pairs; i++) b.Conv(mid, 3, 1, Swish);
        var concat = new int[pairs + 2];
        for (var i = 0; i < concat.Length; i++) concat[i] = -(2 * i + 1);
        return b.Route(concat).Conv(output, 1, 1, Swish);
    }

    /// <summary>
    /// yolov7's head ELAN block (swish): as <see cref="Elan"/> with two pairs, but every one of the four 3×3 convs (of
    /// <paramref name="mid"/> filters) is concatenated, and the block ends in a 1×1 conv back to <paramref name="filters"/>.
    /// </summary>
    private static LayoutBuilder ElanHead(this LayoutBuilder b, int filters, int mid) =>
        b.Conv(filters, 1, 1, Swish).Route(-2).Conv(filters, 1, 1, Swish)
         .Conv(mid, 3, 1, Swish).Conv(mid, 3, 1, Swish).Conv(mid, 3, 1, Swish).Conv(mid, 3, 1, Swish)
         .Route(-1, -2, -3, -4, -5, -7).Conv(filters, 1, 1, Swish);

    /// <summary>
    /// yolov7's downsample (swish): a 2×2 max-pool and a 1×1 conv beside a 1×1 conv and a stride-2 3×3 conv, both
    /// from the block's input, concatenated (the strided conv first) with, in the head, the earlier layer
    /// <paramref name="lateral"/> of the same stride.
    /// </summary>
    private static LayoutBuilder Downsample(this LayoutBuilder b, int filters, int? lateral = null)
    {
        b.MaxPool(2, 2).Conv(filters, 1, 1, Swish).Route(-3).Conv(filters, 1, 1, Swish).Conv(filters, 3, 2, Swish);
        return lateral == null ? b.Route(-1, -4) : b.Route(-1, -4, lateral.Value);
    }

    /// <summary>
    /// SPPCSPC (swish): a 1×1 conv (the shortcut part); back to the input, a 1×1, 3×3, 1×1 conv stack, max-pools of 5,
    /// 9 and 13 concatenated with it (oldest first), a 1×1 and a 3×3 conv, concatenated with the shortcut part, then
    /// a 1×1 conv.
    /// </summary>
    private static LayoutBuilder SppCspc(this LayoutBuilder b, int filters) =>
        b.Conv(filters, 1, 1, Swish).Route(-2).Conv(filters, 1, 1, Swish).Conv(filters, 3, 1, Swish).Conv(filters, 1, 1, Swish)
         .MaxPool(5, 1).Route(-2).MaxPool(9, 1).Route(-4).MaxPool(13, 1).Route(-6, -5, -3, -1)
         .Conv(filters, 1, 1, Swish).Conv(filters, 3, 1, Swish).Route(-1, -13).Conv(filters, 1, 1, Swish);

    /// <summary>
    /// Top-down (swish): a 1×1 conv, ×2 upsample, the backbone layer <paramref name="backboneLayer"/> through a 1×1
    /// conv, concatenated (the backbone's first).
    /// </summary>
    private static LayoutBuilder UpsampleAndRoute(this LayoutBuilder b, int filters, int backboneLayer) =>
        b.Conv(filters, 1, 1, Swish).Upsample(2).Route(backboneLayer).Conv(filters, 1, 1, Swish).Route(-1, -3);

    /// <summary>
    /// yolov7-tiny's ELAN block (leaky): a 1×1 conv; back to the input, a 1×1 conv and two 3×3 convs; the four
    /// concatenated (oldest first) and a 1×1 conv to twice <paramref name="filters"/>.
    /// </summary>
    private static LayoutBuilder TinyElan(this LayoutBuilder b, int filters) =>
        b.Conv(filters, 1).Route(-2).Conv(filters, 1).Conv(filters, 3).Conv(filters, 3)
         .Route(-5, -3, -2, -1).Conv(2 * filters, 1);

    /// <summary>
    /// yolov7-tiny's SPPCSPC (leaky): a 1×1 conv (the shortcut part); back to the input, a 1×1 conv, max-pools of 5, 9
    /// and 13 concatenated with it (newest first), a 1×1 conv, concatenated with the shortcut part, then a 1×1 conv.
    /// </summary>
    private static LayoutBuilder TinySppCspc(this LayoutBuilder b, int filters) =>
        b.Conv(filters, 1).Route(-2).Conv(filters, 1)
         .MaxPool(5, 1).Route(-2).MaxPool(9, 1).Route(-4).MaxPool(13, 1).Route(-1, -3, -5, -6)
         .Conv(filters, 1).Route(-10, -1).Conv(filters, 1);

    /// <summary>
    /// One detection scale: back to layer <paramref name="from"/>, a 3×3 conv of <paramref name="filters"/>, the 1×1
    /// detection conv (logistic, biases, no batch norm: new_coords=1 decodes its output directly) and [yolo].
    /// </summary>
    private static LayoutBuilder DetectionScale(this LayoutBuilder b, int from, int filters, DetectionHead head, string activation = Swish) =>
        b.Route(from).Conv(filters, 3, 1, activation).LogisticDetectionConv(head).Yolo(head);

    /// <summary>The 1×1 detection conv of a new_coords=1 head: logistic, with biases, no batch norm.</summary>
    internal static LayoutBuilder LogisticDetectionConv(this LayoutBuilder b, DetectionHead head) =>
        b.Convolutional(YoloV3.Outputs(head.Classes), 1, 1, 0, activation: "logistic");
}
