namespace Darknet.Weights.Layout
{
    /// <summary>The darknet layer types this project follows through a network (one per supported cfg section).</summary>
    internal enum LayerType
    {
        Convolutional,
        Deconvolutional,
        Connected,
        BatchNorm,
        Route,
        Shortcut,
        Upsample,
        MaxPool,
        AvgPool,
        Reorg,
        Yolo,
        Region,
        Detection,
        Softmax,
        Cost,
        Dropout,
    }
}
