using Darknet.Weights.Layout;

namespace Darknet.Weights.Models;

/// <summary>
/// Scaled-YOLOv4's YOLOv4-CSP and YOLOv4x-mish described in code; they mirror AlexeyAB's yolov4-csp.cfg and
/// yolov4x-mish.cfg (the cfgs the published yolov4-csp.weights and yolov4x-mish.weights belong to). Mish throughout;
/// the heads decode with new_coords=1 (the detection conv is logistic already) and scale_x_y=2.
/// </summary>
internal static class ScaledYoloV4
{
    private const string Mish = "mish";

    /// <summary>
    /// yolov4-csp.cfg: CSPDarknet53 (a residual block, then CSP stages of 2, 8, 8 and 4), SPPCSP, and a CSP PANet with
    /// three detection scales at strides 8, 16 and 32.
    /// </summary>
    public static NetworkLayout Csp(int size = 512, int classes = 80) =>
        new LayoutBuilder(size, size)
            .Conv(32, 3, 1, Mish).Conv(64, 3, 2, Mish).Conv(32, 1, 1, Mish).Conv(64, 3, 1, Mish).Shortcut(-3)
            .CspStage(down: 128, split: 64, residualMid: 64, blocks: 2, transition: 128)
            .CspStage(down: 256, split: 128, residualMid: 128, blocks: 8, transition: 256)      // layer 48, stride 8
            .CspStage(down: 512, split: 256, residualMid: 256, blocks: 8, transition: 512)      // layer 79, stride 16
            .CspStage(down: 1024, split: 512, residualMid: 512, blocks: 4, transition: 1024)
            .SppCsp(512, pairsAfterPooling: 1)                                                  // layer 113
            .UpsampleAndRoute(256, 79).CspBlock(256, pairs: 2)                                  // layer 127
            .UpsampleAndRoute(128, 48).CspBlock(128, pairs: 2)                                  // layer 141
            .DetectionScale(256, Head(classes, 0, 1, 2))
            .DownsampleAndRoute(256, 127).CspBlock(256, pairs: 2)
            .DetectionScale(512, Head(classes, 3, 4, 5))
            .DownsampleAndRoute(512, 113).CspBlock(512, pairs: 2)
            .DetectionScale(1024, Head(classes, 6, 7, 8))
            .Build();

    /// <summary>
    /// yolov4x-mish.cfg: yolov4-csp scaled up: 1.25× the widths after the first conv, CSP stages of 3, 10, 10 and 5, and one more 1×1/3×3
    /// pair in SPPCSP and in every CSP block of the neck.
    /// </summary>
    public static NetworkLayout XMish(int size = 640, int classes = 80) =>
        new LayoutBuilder(size, size)
            .Conv(32, 3, 1, Mish).Conv(80, 3, 2, Mish).Conv(40, 1, 1, Mish).Conv(80, 3, 1, Mish).Shortcut(-3)
            .CspStage(down: 160, split: 80, residualMid: 80, blocks: 3, transition: 160)
            .CspStage(down: 320, split: 160, residualMid: 160, blocks: 10, transition: 320)     // layer 57, stride 8
            .CspStage(down: 640, split: 320, residualMid: 320, blocks: 10, transition: 640)     // layer 94, stride 16
            .CspStage(down: 1280, split: 640, residualMid: 640, blocks: 5, transition: 1280)
            .SppCsp(640, pairsAfterPooling: 2)                                                  // layer 133
            .UpsampleAndRoute(320, 94).CspBlock(320, pairs: 3)                                  // layer 149
            .UpsampleAndRoute(160, 57).CspBlock(160, pairs: 3)                                  // layer 165
            .DetectionScale(320, Head(classes, 0, 1, 2))
            .DownsampleAndRoute(320, 149).CspBlock(320, pairs: 3)
            .DetectionScale(640, Head(classes, 3, 4, 5))
            .DownsampleAndRoute(640, 133).CspBlock(640, pairs: 3)
            .DetectionScale(1280, Head(classes, 6, 7, 8))
            .Build();

    private static DetectionHead Head(int classes, params int[] mask) =>
        DetectionHead.Yolo(classes, YoloV4.Anchors, mask, scaleXY: 2f, newCoords: true);

    /// <summary>
    /// SPPCSP: a 1×1 conv (the shortcut part); back to the input, a 1×1, 3×3, 1×1 conv stack, max-pools of 5, 9 and 13
    /// concatenated with it (newest first), <paramref name="pairsAfterPooling"/> 1×1/3×3 conv pairs, concatenated with
    /// the shortcut part, then a 1×1 conv.
    /// </summary>
    private static LayoutBuilder SppCsp(this LayoutBuilder b, int filters, int pairsAfterPooling)
    {
        b.Conv(filters, 1, 1, Mish).Route(-2).Conv(filters, 1, 1, Mish).Conv(filters, 3, 1, Mish).Conv(filters, 1, 1, Mish)
         .MaxPool(5, 1).Route(-2).MaxPool(9, 1).Route(-4).MaxPool(13, 1).Route(-1, -3, -5, -6);
        for (var i = 0; i < pairsAfterPooling; i++) b.Conv(filters, 1, 1, Mish).Conv(filters, 3, 1, Mish);
        return b.Route(-1, -(11 + 2 * pairsAfterPooling)).Conv(filters, 1, 1, Mish);
    }

    /// <summary>
    /// The neck's CSP block (no residuals): a 1×1 conv; a 1×1 conv (part A); back to the first (route -2),
    /// <paramref name="pairs"/> 1×1/3×3 conv pairs (part B); part B concatenated with part A; a 1×1 conv.
    /// </summary>
    private static LayoutBuilder CspBlock(this LayoutBuilder b, int filters, int pairs)
    {
        b.Conv(filters, 1, 1, Mish).Conv(filters, 1, 1, Mish).Route(-2);
        for (var i = 0; i < pairs; i++) b.Conv(filters, 1, 1, Mish).Conv(filters, 3, 1, Mish);
        return b.Route(-1, -(2 + 2 * pairs)).Conv(filters, 1, 1, Mish);
    }

    /// <summary>
    /// Top-down: a 1×1 conv, ×2 upsample, the backbone layer <paramref name="backboneLayer"/> through a 1×1 conv,
    /// concatenated (the backbone's first).
    /// </summary>
    private static LayoutBuilder UpsampleAndRoute(this LayoutBuilder b, int filters, int backboneLayer) =>
        b.Conv(filters, 1, 1, Mish).Upsample(2).Route(backboneLayer).Conv(filters, 1, 1, Mish).Route(-1, -3);

    /// <summary>
    /// Bottom-up: back to the previous scale's CSP block (route -4), a stride-2 3×3 conv, concatenated with the neck
    /// layer <paramref name="lateral"/> of the next stride.
    /// </summary>
    private static LayoutBuilder DownsampleAndRoute(this LayoutBuilder b, int filters, int lateral) =>
        b.Route(-4).Conv(filters, 3, 2, Mish).Route(-1, lateral);

    /// <summary>One detection scale: a 3×3 conv of <paramref name="filters"/>, the logistic 1×1 detection conv and [yolo].</summary>
    private static LayoutBuilder DetectionScale(this LayoutBuilder b, int filters, DetectionHead head) =>
        b.Conv(filters, 3, 1, Mish).LogisticDetectionConv(head).Yolo(head);
}
