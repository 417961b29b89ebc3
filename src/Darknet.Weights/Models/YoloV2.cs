using Darknet.Weights.Layout;

namespace Darknet.Weights.Models;

/// <summary>
/// YOLOv2 and YOLOv2-tiny described in code; they mirror upstream yolov2.cfg (and, with 20 classes at 416,
/// yolov2-voc.cfg) and yolov2-tiny.cfg.
/// </summary>
internal static class YoloV2
{
    /// <summary>
    /// Darknet-19 without its classifier (darknet19.cfg's first 23 layers, 18 convs): 3×3 convs doubling the filters
    /// after each of five 2×2 max-pools, with 1×1 bottlenecks in between. Layer 16 (the last conv at stride 16) is the
    /// one YOLOv2's passthrough routes back to.
    /// </summary>
    public static LayoutBuilder Darknet19Backbone(this LayoutBuilder b) =>
        b.Conv(32, 3).MaxPool(2, 2)
         .Conv(64, 3).MaxPool(2, 2)
         .Conv(128, 3).Conv(64, 1).Conv(128, 3).MaxPool(2, 2)
         .Conv(256, 3).Conv(128, 1).Conv(256, 3).MaxPool(2, 2)
         .Conv(512, 3).Conv(256, 1).Conv(512, 3).Conv(256, 1).Conv(512, 3).MaxPool(2, 2)
         .Conv(1024, 3).Conv(512, 1).Conv(1024, 3).Conv(512, 1).Conv(1024, 3);

    /// <summary>
    /// yolov2.cfg: Darknet-19, two 3×3 convs, the passthrough (route back to layer 16, 1×1 conv to 64, [reorg] stride 2,
    /// concatenated with the last conv), a 3×3 conv, the 1×1 detection conv and [region].
    /// </summary>
    public static NetworkLayout Full(int size = 608, int classes = 80) =>
        new LayoutBuilder(size, size).Darknet19Backbone()
            .Conv(1024, 3).Conv(1024, 3)
            .Route(-9).Conv(64, 1).Reorg(2).Route(-1, -4)
            .Conv(1024, 3).Conv1x1Linear(Outputs(classes)).Region(DetectionHead.Region(classes, Anchors))
            .Build();

    /// <summary>
    /// yolov2-tiny.cfg: six 3×3 convs each followed by a max-pool (the last of stride 1), two 3×3 convs, the 1×1
    /// detection conv and [region] with yolov2's anchors.
    /// </summary>
    public static NetworkLayout Tiny(int size = 416, int classes = 80) =>
        new LayoutBuilder(size, size)
            .Conv(16, 3).MaxPool(2, 2)
            .Conv(32, 3).MaxPool(2, 2)
            .Conv(64, 3).MaxPool(2, 2)
            .Conv(128, 3).MaxPool(2, 2)
            .Conv(256, 3).MaxPool(2, 2)
            .Conv(512, 3).MaxPool(2, 1)
            .Conv(1024, 3).Conv(512, 3)
            .Conv1x1Linear(Outputs(classes)).Region(DetectionHead.Region(classes, Anchors))
            .Build();

    /// <summary>yolov2.cfg's five anchors (w, h in grid cells); yolov2-tiny.cfg's too.</summary>
    public static readonly float[] Anchors = { 0.57273f, 0.677385f, 1.87446f, 2.06253f, 3.33843f, 5.47434f, 7.88282f, 3.52778f, 9.77052f, 9.16828f };

    /// <summary>5 anchors × (4 box coordinates + objectness + classes): the detection conv's filters.</summary>
    public static int Outputs(int classes) => 5 * (classes + 5);
}
