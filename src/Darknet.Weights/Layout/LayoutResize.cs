using System;
using System.Linq;

namespace Darknet.Weights.Layout;

/// <summary>
/// A network at another input size: every layer given again to a <see cref="LayoutBuilder"/> with the options it
/// holds, so the new shapes come from the builder's rules, as the first ones did. What darknet does with
/// <c>-width/-height</c> (resize_network); a [connected] layer's inputs follow, and so does its float count.
/// </summary>
internal static class LayoutResize
{
    public static NetworkLayout AtSize(NetworkLayout layout, int width, int height)
    {
        var b = new LayoutBuilder(width, height, layout.Channels, layout.SourceName, 0);
        foreach (var l in layout.Layers)
        {
            b.Line = l.Line;
            Add(b, l);
            var added = b.Last;
            added.OptionLines = l.OptionLines;
            if (l.DontLoad) added.SkipLoading();
        }
        return b.Build();
    }

    private static void Add(LayoutBuilder b, LayerInfo l)
    {
        switch (l.Type)
        {
            case LayerType.Convolutional:
                b.Convolutional(l.Filters, l.Size, l.Stride, l.Padding, l.Groups, l.BatchNormalize, l.Activation!, l.Dilation,
                    l.SharesWeightsOf, l.StrideY, l.Xnor, l.Binary, l.Flipped);
                break;
            case LayerType.Deconvolutional:
                b.Deconvolutional(l.Filters, l.Size, l.Stride, l.Padding, l.BatchNormalize, l.Activation!);
                break;
            case LayerType.Connected:
                b.Connected(l.Filters, l.BatchNormalize, l.Activation!);
                break;
            case LayerType.BatchNorm:
                b.BatchNorm();
                break;
            case LayerType.Crnn:
                b.Crnn(l.Filters, l.Hidden, l.Size, l.Stride, l.Padding, l.Groups, l.BatchNormalize, l.Activation!, l.Xnor);
                break;
            case LayerType.Route:
                b.Route(l.Sources.ToArray(), l.Groups, l.GroupId);
                break;
            case LayerType.Shortcut:
                b.Shortcut(l.Sources.ToArray(), l.Activation!, l.ShortcutWeights, l.WeightsNormalization ?? "none", l.Alpha, l.Beta);
                break;
            case LayerType.Sam:
                b.Sam(l.Sources[0], l.Activation!);
                break;
            case LayerType.ScaleChannels:
                b.ScaleChannels(l.Sources[0], l.ScaleWh, l.Activation!);
                break;
            case LayerType.Upsample:
                b.Upsample(l.Stride, l.Scale);
                break;
            case LayerType.MaxPool:
                if (l.MaxPoolDepth) b.MaxPoolDepth(l.OutputChannels, l.Size, l.Stride, l.Padding);
                else b.MaxPool(l.Size, l.Stride, l.Padding, l.StrideY, l.Antialiasing);
                break;
            case LayerType.LocalAvgPool:
                b.LocalAvgPool(l.Size, l.Stride, l.Padding, l.StrideY);
                break;
            case LayerType.AvgPool:
                b.AvgPool();
                break;
            case LayerType.Reorg:
                b.Reorg(l.Stride, l.Reverse, l.Flatten);
                break;
            case LayerType.Reorg3d:
                b.Reorg3d(l.Stride, l.Reverse);
                break;
            case LayerType.Crop:
                b.Crop(l.OutputWidth, l.OutputHeight, l.NoAdjust);
                break;
            case LayerType.Yolo:
                b.Yolo(l.Head!);
                break;
            case LayerType.GaussianYolo:
                b.GaussianYolo(l.Head!);
                break;
            case LayerType.Region:
                b.Region(l.Head!);
                b.Last.Tree = l.Tree;
                break;
            case LayerType.Contrastive:
                b.Contrastive(l.Sources[0]);
                break;
            case LayerType.Detection:
                b.Detection(l.Head!);
                break;
            case LayerType.Softmax:
                b.Softmax(l.Groups, l.Temperature);
                b.Last.Tree = l.Tree;
                break;
            case LayerType.Cost:
                b.Cost();
                break;
            case LayerType.Dropout:
                b.Dropout();
                break;
            default:
                throw new InvalidOperationException($"layer {l.Index}: {l.Type} layers cannot be given to the builder again");
        }
    }
}
