using Darknet.Weights.Layout;

namespace Darknet.Weights.Models;

/// <summary>Darknet-53 (the YOLOv3 paper's backbone), described in code; mirrors upstream darknet53_448.cfg.</summary>
internal static class Darknet53
{
    /// <summary>
    /// The 52 convs and 23 residual shortcuts (layers 0..74). Layer 36 and layer 61 (the last shortcuts at strides 8 and 16) are the
    /// ones YOLOv3's head routes back to.
    /// </summary>
    public static LayoutBuilder Darknet53Backbone(this LayoutBuilder b) =>
        b.Conv(32, 3)
         .Conv(64, 3, 2).Residual(64, 1)
         .Conv(128, 3, 2).Residual(128, 2)
         .Conv(256, 3, 2).Residual(256, 8)
         .Conv(512, 3, 2).Residual(512, 8)
         .Conv(1024, 3, 2).Residual(1024, 4);

    /// <summary>The ImageNet classifier of darknet53_448.weights: backbone, [avgpool], 1×1 conv to the classes, [softmax].</summary>
    public static NetworkLayout Classifier(int size = 448, int classes = 1000) =>
        new LayoutBuilder(size, size).Darknet53Backbone().AvgPool().Conv1x1Linear(classes).Softmax().Build();

    /// <summary>
    /// The layers that darknet53.conv.74 holds: darknet's <c>partial … 74</c> keeps layers 0..73, i.e. the backbone
    /// without its final shortcut: all 52 convs.
    /// </summary>
    public static NetworkLayout Conv74(int size = 448) =>
        new LayoutBuilder(size, size)
            .Conv(32, 3)
            .Conv(64, 3, 2).Residual(64, 1)
            .Conv(128, 3, 2).Residual(128, 2)
            .Conv(256, 3, 2).Residual(256, 8)
            .Conv(512, 3, 2).Residual(512, 8)
            .Conv(1024, 3, 2).Residual(1024, 3).Conv(512, 1).Conv(1024, 3)
            .Build();
}
