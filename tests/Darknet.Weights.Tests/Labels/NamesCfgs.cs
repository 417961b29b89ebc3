namespace Darknet.Weights.Tests.Labels;

internal static class NamesCfgs
{
    /// <summary>A small detector: two convolutions and one [yolo] layer (layer 2) with 2 classes (21 = 3 anchors × (5 + 2) filters).</summary>
    public const string YoloTwoClasses = """
        [net]
        width=32
        height=24
        channels=3

        [convolutional]
        batch_normalize=1
        filters=8
        size=3
        stride=2
        pad=1
        activation=leaky

        [convolutional]
        filters=21
        size=1
        stride=1
        pad=1
        activation=linear

        [yolo]
        mask=0,1,2
        anchors=10,14, 23,27, 37,58
        classes=2
        num=3
        """;
}
