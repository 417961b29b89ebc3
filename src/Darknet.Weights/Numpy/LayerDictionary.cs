using System.Collections.Generic;

namespace Darknet.Weights.Numpy;

/// <summary>
/// Turns what the .npy holds (a 0-d object array around <c>{name: {'weights': a, 'biases': a}}</c> or
/// <c>{name: {'weights': a, 'bn': [gamma, beta, mean, var]}}</c>) into <see cref="LayerParameters"/> in dict order.
/// </summary>
internal static class LayerDictionary
{
    public static IReadOnlyList<LayerParameters> FromPickle(object? root, string sourceName)
    {
        var dict = root as PickleDict;
        if (root is NumpyArray array && array.Objects != null && array.Shape.Length == 0) dict = array.Objects[0] as PickleDict;
        if (dict == null) throw NotLayers(sourceName, "it holds no dict (np.save of a dict holds a 0-d object array around the dict)");

        var layers = new List<LayerParameters>();
        foreach (var item in dict.Items)
        {
            if (!(item.Key is string name)) throw NotLayers(sourceName, "a layer name is not a string");
            if (!(item.Value is PickleDict parameters)) throw NotLayers(sourceName, $"layer '{name}' is not a dict of arrays");
            Tensor? weights = null, biases = null;
            Tensor[]? batchNorm = null;
            foreach (var p in parameters.Items)
            {
                switch (p.Key as string)
                {
                    case "weights": weights = ArrayOf(p.Value, sourceName, name, "weights"); break;
                    case "biases": biases = ArrayOf(p.Value, sourceName, name, "biases"); break;
                    case "bn":
                        var list = p.Value is List<object?> l ? l.ToArray() : p.Value is PickleTuple t ? t.Items : null;
                        if (list == null || list.Length != 4) throw NotLayers(sourceName, $"layer '{name}': 'bn' is not a list of 4 arrays [gamma, beta, mean, variance]");
                        batchNorm = new Tensor[4];
                        for (int i = 0; i < 4; i++) batchNorm[i] = ArrayOf(list[i], sourceName, name, $"bn[{i}]");
                        break;
                    default:
                        throw NotLayers(sourceName, $"layer '{name}' has a key {Repr(p.Key)}; a layer holds only 'weights', 'biases' and 'bn'");
                }
            }
            layers.Add(new LayerParameters(name, weights, biases, batchNorm));
        }
        return layers;
    }

    private static Tensor ArrayOf(object? value, string sourceName, string layer, string key)
    {
        if (value is NumpyArray a && a.Floats != null) return a.Floats;
        throw NotLayers(sourceName, $"layer '{layer}': '{key}' is not a float32 array");
    }

    private static string Repr(object? key) => key is string s ? "'" + s + "'" : key?.ToString() ?? "None";

    internal static DarknetException NotLayers(string sourceName, string why) =>
        new DarknetException(ErrorCodes.NotLayerDictionary, $"{sourceName} is not a dictionary of layers: {why}");
}
