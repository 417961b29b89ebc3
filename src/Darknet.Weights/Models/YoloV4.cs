using Darknet.Weights.Layout;

namespace Darknet.Weights.Models;

/// <summary>
/// YOLOv4 and YOLOv4-tiny described in code; they mirror AlexeyAB's yolov4.cfg and yolov4-tiny.cfg (the cfgs the
/// published yolov4.weights and yolov4-tiny.weights belong to).
/// </summary>
internal static class YoloV4
{
    /// <summary>
    /// yolov4.cfg: CSPDarknet53 (mish), SPP and PANet (leaky) up to layer 136, then three detection scales at strides
    /// 8, 16 and 32, each path-aggregated back down with a stride-2 conv.
    /// </summary>
    public static NetworkLayout Full(int size = 608, int classes = 80) =>
        new LayoutBuilder(size, size).CspDarknet53Backbone().SppPan()
            .Conv(256, 3).Conv1x1Linear(YoloV3.Outputs(classes)).Yolo(DetectionHead.Yolo(classes, Anchors, new[] { 0, 1, 2 }, 1.2f))
            .Route(-4).Conv(256, 3, 2).Route(-1, -16).DetectionConvs(256, DetectionHead.Yolo(classes, Anchors, new[] { 3, 4, 5 }, 1.1f))
            .Route(-4).Conv(512, 3, 2).Route(-1, -37).DetectionConvs(512, DetectionHead.Yolo(classes, Anchors, new[] { 6, 7, 8 }, 1.05f))
            .Build();

    /// <summary>
    /// The layers yolov4.conv.137 holds: AlexeyAB's <c>partial … 137</c> keeps layers 0..136, i.e. everything before
    /// the first detection scale's last 3×3 conv.
    /// </summary>
    public static NetworkLayout Conv137(int size = 608) =>
        new LayoutBuilder(size, size).CspDarknet53Backbone().SppPan().Build();

    /// <summary>
    /// yolov4-tiny.cfg: two stride-2 convs, three CSP blocks (route groups=2 group_id=1 keeps half the channels) with
    /// max-pools, and two detection scales (strides 32 and 16).
    /// </summary>
    public static NetworkLayout Tiny(int size = 416, int classes = 80) =>
        new LayoutBuilder(size, size)
            .Conv(32, 3, 2).Conv(64, 3, 2)
            .TinyCspBlock(64).TinyCspBlock(128).TinyCspBlock(256)
            .Conv(512, 3)
            .Conv(256, 1).Conv(512, 3).Conv1x1Linear(YoloV3.Outputs(classes)).Yolo(DetectionHead.Yolo(classes, YoloV3.TinyAnchors, new[] { 3, 4, 5 }, 1.05f))
            .Route(-4).Conv(128, 1).Upsample(2).Route(-1, 23)
            .Conv(256, 3).Conv1x1Linear(YoloV3.Outputs(classes)).Yolo(DetectionHead.Yolo(classes, YoloV3.TinyAnchors, new[] { 1, 2, 3 }, 1.05f))
            .Build();

    /// <summary>
    /// CSPDarknet53 with mish, layers 0..104: five cross-stage-partial stages of 1, 2, 8, 8 and 4 residual blocks.
    /// Layers 54 and 85 (the stride-8 and stride-16 stage outputs) are the ones PANet routes back to.
    /// </summary>
    public static LayoutBuilder CspDarknet53Backbone(this LayoutBuilder b) =>
        b.Conv(32, 3, 1, Mish)
         .CspStage(down: 64, split: 64, residualMid: 32, blocks: 1, transition: 64)
         .CspStage(down: 128, split: 64, residualMid: 64, blocks: 2, transition: 128)
         .CspStage(down: 256, split: 128, residualMid: 128, blocks: 8, transition: 256)
         .CspStage(down: 512, split: 256, residualMid: 256, blocks: 8, transition: 512)
         .CspStage(down: 1024, split: 512, residualMid: 512, blocks: 4, transition: 1024);

    private const string Mish = "mish";

    /// <summary>yolov4.cfg's nine anchors (w, h in pixels at 608×608), three per scale (stride 8 first).</summary>
    public static readonly float[] Anchors = { 12, 16, 19, 36, 40, 28, 36, 75, 76, 55, 72, 146, 142, 110, 192, 243, 459, 401 };

    /// <summary>
    /// One CSP stage: a stride-2 conv; a 1×1 conv (part A); back to the stride-2 conv (route -2) and a 1×1 conv (part B)
    /// that runs through the residual blocks and a 1×1 conv; part B concatenated with part A; a 1×1 transition conv.
    /// Mish throughout (Scaled-YOLOv4's backbones use it too).
    /// </summary>
    internal static LayoutBuilder CspStage(this LayoutBuilder b, int down, int split, int residualMid, int blocks, int transition)
    {
        b.Conv(down, 3, 2, Mish).Conv(split, 1, 1, Mish).Route(-2).Conv(split, 1, 1, Mish);
        for (var i = 0; i < blocks; i++) b.Conv(residualMid, 1, 1, Mish).Conv(split, 3, 1, Mish).Shortcut(-3);
        return b.Conv(split, 1, 1, Mish).Route(-1, -(4 + 3 * blocks)).Conv(transition, 1, 1, Mish);
    }

    /// <summary>
    /// Layers 105..136: SPP (max-pools of 5, 9 and 13 concatenated) on the stride-32 output, then PANet's top-down path
    /// to stride 8, mixing in backbone layers 85 and 54.
    /// </summary>
    private static LayoutBuilder SppPan(this LayoutBuilder b) =>
        b.Conv(512, 1).Conv(1024, 3).Conv(512, 1)
         .MaxPool(5, 1).Route(-2).MaxPool(9, 1).Route(-4).MaxPool(13, 1).Route(-1, -3, -5, -6)
         .Conv(512, 1).Conv(1024, 3).Conv(512, 1)
         .Conv(256, 1).Upsample(2).Route(85).Conv(256, 1).Route(-1, -3)
         .Conv(256, 1).Conv(512, 3).Conv(256, 1).Conv(512, 3).Conv(256, 1)
         .Conv(128, 1).Upsample(2).Route(54).Conv(128, 1).Route(-1, -3)
         .Conv(128, 1).Conv(256, 3).Conv(128, 1).Conv(256, 3).Conv(128, 1);

    /// <summary>Three 1×1/3×3 conv pairs, the 1×1 detection conv and [yolo].</summary>
    private static LayoutBuilder DetectionConvs(this LayoutBuilder b, int filters, DetectionHead head) =>
        b.Conv(filters, 1).Conv(filters * 2, 3)
         .Conv(filters, 1).Conv(filters * 2, 3)
         .Conv(filters, 1).Conv(filters * 2, 3)
         .Conv1x1Linear(YoloV3.Outputs(head.Classes)).Yolo(head);

    /// <summary>
    /// yolov4-tiny's CSP block: a 3×3 conv, the second half of its channels (route groups=2 group_id=1) through two 3×3
    /// convs, concatenated and reduced by a 1×1 conv, concatenated with the first conv, then a 2×2 max-pool.
    /// </summary>
    private static LayoutBuilder TinyCspBlock(this LayoutBuilder b, int filters) =>
        b.Conv(filters, 3).Route(new[] { -1 }, groups: 2, groupId: 1)
         .Conv(filters / 2, 3).Conv(filters / 2, 3).Route(-1, -2)
         .Conv(filters, 1).Route(-6, -1).MaxPool(2, 2);
}
