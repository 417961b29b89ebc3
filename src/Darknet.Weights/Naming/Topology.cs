using System.Linq;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Naming;

/// <summary>
/// Whether a layout has the same structure as a reference network, whatever its input size and number of classes.
/// </summary>
internal static class Topology
{
    /// <summary>
    /// True when <paramref name="candidate"/> has the reference's layers up to and including its last weighted layer
    /// (same type, filters, size, stride, padding, groups, batch norm, route/shortcut sources) and no weighted layer
    /// after them. Spatial sizes are not compared (the input size does not change the weights), nor the filters of the
    /// reference's convs without batch norm: those are the output heads (detection convs, the classifier's last conv),
    /// whose filter count follows the number of classes.
    /// </summary>
    public static bool Matches(NetworkLayout candidate, NetworkLayout reference)
    {
        var last = reference.WeightedLayers[reference.WeightedLayers.Count - 1].Index;
        if (candidate.Layers.Count <= last) return false;
        if (candidate.Layers.Skip(last + 1).Any(l => l.HasWeights)) return false;
        for (var i = 0; i <= last; i++)
            if (!SameLayer(candidate.Layers[i], reference.Layers[i])) return false;
        return true;
    }

    private static bool SameLayer(LayerInfo a, LayerInfo r)
    {
        var isHead = r.Type == LayerType.Convolutional && !r.BatchNormalize;
        return a.Type == r.Type
            && (isHead || a.Filters == r.Filters)
            && a.Size == r.Size
            && a.Stride == r.Stride
            && a.Padding == r.Padding
            && a.Groups == r.Groups
            && a.BatchNormalize == r.BatchNormalize
            && a.Sources.SequenceEqual(r.Sources);
    }
}
