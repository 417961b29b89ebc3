using Darknet.Weights.Layout;

namespace Darknet.Weights.Models;

/// <summary>YOLOv3, YOLOv3-SPP and YOLOv3-tiny described in code; they mirror the upstream cfg files of the same names.</summary>
internal static class YoloV3
{
    /// <summary>yolov3.cfg: Darknet-53, then three detection scales (strides 32, 16, 8).</summary>
    public static NetworkLayout Full(int size = 608, int classes = 80) =>
        new LayoutBuilder(size, size).Darknet53Backbone()
            .DetectionBlock(512, Head(classes, 6, 7, 8))
            .UpsampleAndRoute(256, 61).DetectionBlock(256, Head(classes, 3, 4, 5))
            .UpsampleAndRoute(128, 36).DetectionBlock(128, Head(classes, 0, 1, 2))
            .Build();

    /// <summary>yolov3-spp.cfg: as yolov3, with spatial pyramid pooling (max-pools of 5, 9, 13) in the first scale.</summary>
    public static NetworkLayout Spp(int size = 608, int classes = 80) =>
        new LayoutBuilder(size, size).Darknet53Backbone()
            .Conv(512, 1).Conv(1024, 3).Conv(512, 1)
            .MaxPool(5, 1).Route(-2).MaxPool(9, 1).Route(-4).MaxPool(13, 1).Route(-1, -3, -5, -6)
            .Conv(512, 1).Conv(1024, 3).Conv(512, 1).Conv(1024, 3).Conv1x1Linear(Outputs(classes)).Yolo(Head(classes, 6, 7, 8))
            .UpsampleAndRoute(256, 61).DetectionBlock(256, Head(classes, 3, 4, 5))
            .UpsampleAndRoute(128, 36).DetectionBlock(128, Head(classes, 0, 1, 2))
            .Build();

    /// <summary>yolov3-tiny.cfg: seven 3×3 convs with max-pools, two detection scales.</summary>
    public static NetworkLayout Tiny(int size = 416, int classes = 80) =>
        new LayoutBuilder(size, size)
            .Conv(16, 3).MaxPool(2, 2)
            .Conv(32, 3).MaxPool(2, 2)
            .Conv(64, 3).MaxPool(2, 2)
            .Conv(128, 3).MaxPool(2, 2)
            .Conv(256, 3).MaxPool(2, 2)
            .Conv(512, 3).MaxPool(2, 1)
            .Conv(1024, 3)
            .Conv(256, 1).Conv(512, 3).Conv1x1Linear(Outputs(classes)).Yolo(DetectionHead.Yolo(classes, TinyAnchors, new[] { 3, 4, 5 }))
            .Route(-4).Conv(128, 1).Upsample(2).Route(-1, 8)
            .Conv(256, 3).Conv1x1Linear(Outputs(classes)).Yolo(DetectionHead.Yolo(classes, TinyAnchors, new[] { 0, 1, 2 }))
            .Build();

    /// <summary>yolov3.cfg's nine anchors (w, h in pixels at 416×416), three per scale.</summary>
    public static readonly float[] Anchors = { 10, 13, 16, 30, 33, 23, 30, 61, 62, 45, 59, 119, 116, 90, 156, 198, 373, 326 };

    /// <summary>yolov3-tiny.cfg's six anchors (w, h in pixels); yolov4-tiny uses them too.</summary>
    public static readonly float[] TinyAnchors = { 10, 14, 23, 27, 37, 58, 81, 82, 135, 169, 344, 319 };

    private static DetectionHead Head(int classes, params int[] mask) => DetectionHead.Yolo(classes, Anchors, mask);

    /// <summary>3 anchors × (4 box coordinates + objectness + classes): the detection conv's filters.</summary>
    public static int Outputs(int classes) => 3 * (classes + 5);

    /// <summary>One scale's head: three 1×1/3×3 conv pairs, the 1×1 detection conv, [yolo].</summary>
    private static LayoutBuilder DetectionBlock(this LayoutBuilder b, int filters, DetectionHead head) =>
        b.Conv(filters, 1).Conv(filters * 2, 3)
         .Conv(filters, 1).Conv(filters * 2, 3)
         .Conv(filters, 1).Conv(filters * 2, 3)
         .Conv1x1Linear(Outputs(head.Classes)).Yolo(head);

    /// <summary>
    /// Back to the previous scale's last 1×1 conv (route -4), reduce it, upsample ×2, and concatenate the backbone
    /// layer of the matching stride.
    /// </summary>
    private static LayoutBuilder UpsampleAndRoute(this LayoutBuilder b, int filters, int backboneLayer) =>
        b.Route(-4).Conv(filters, 1).Upsample(2).Route(-1, backboneLayer);
}
