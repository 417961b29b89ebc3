namespace Darknet.Weights.Layout;

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
    /// <summary>AlexeyAB's [reorg3d]: space to depth (channels × s², size ÷ s), darknet's reorg_cpu read the other way round than [reorg].</summary>
    Reorg3d,
    /// <summary>AlexeyAB's [local_avgpool]: an average over each window, as [maxpool] takes a maximum.</summary>
    LocalAvgPool,
    /// <summary>[crop]: a crop_width × crop_height window (the centre at inference), values mapped to [−1, 1] unless noadjust=1.</summary>
    Crop,
    /// <summary>AlexeyAB's [Gaussian_yolo]: a [yolo] head with a mean and an uncertainty for each box coordinate.</summary>
    GaussianYolo,
    /// <summary>AlexeyAB's [contrastive]: a training-only loss over a [yolo] layer's embeddings; passes its input on.</summary>
    Contrastive,
    /// <summary>[crnn]: a convolutional recurrent layer of three convolutions (input, self, output).</summary>
    Crnn,
}
