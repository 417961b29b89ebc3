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
        /// <summary>AlexeyAB's [sam]: the previous layer's output times another layer's, element by element.</summary>
        Sam,
        /// <summary>AlexeyAB's [scale_channels]: another layer's output scaled per channel (or per position) by the previous layer's.</summary>
        ScaleChannels,
    }
}
