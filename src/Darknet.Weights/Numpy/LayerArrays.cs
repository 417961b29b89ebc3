using System;
using System.Collections.Generic;

namespace Darknet.Weights.Numpy;

/// <summary>
/// Gathers <c>layer/array</c> entries (a .npz's or a .safetensors file's) into layers, in the order each layer first
/// appears: weights, biases, and the four batch-norm arrays gamma, beta, moving_mean, moving_variance.
/// </summary>
internal sealed class LayerArrays
{
    private readonly string _sourceName;
    private readonly List<string> _order = new List<string>();
    private readonly Dictionary<string, Dictionary<string, Tensor>> _parts = new Dictionary<string, Dictionary<string, Tensor>>();

    public LayerArrays(string sourceName)
    {
        _sourceName = sourceName;
    }

    /// <summary>Adds <paramref name="key"/> ("conv_1/weights"); <paramref name="entryName"/> is how errors name it.</summary>
    public void Add(string key, Tensor tensor, string entryName)
    {
        Parse(key, entryName, out var layer, out var array);
        if (!_parts.TryGetValue(layer, out var arrays))
        {
            _parts[layer] = arrays = new Dictionary<string, Tensor>();
            _order.Add(layer);
        }
        if (arrays.ContainsKey(array)) throw LayerDictionary.NotLayers(_sourceName, $"entry '{entryName}' appears twice");
        arrays[array] = tensor;
    }

    /// <summary>Checks a name before its data is read: layer/array with a known array name.</summary>
    public void Parse(string key, string entryName, out string layer, out string array)
    {
        int slash = key.LastIndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
            throw LayerDictionary.NotLayers(_sourceName, $"entry '{entryName}' is not named layer/array (e.g. conv_1/weights)");
        layer = key.Substring(0, slash);
        array = key.Substring(slash + 1);
        if (array != "weights" && array != "biases" && Array.IndexOf(NpzWriter.BatchNormNames, array) < 0)
            throw LayerDictionary.NotLayers(_sourceName, $"entry '{entryName}': a layer holds only weights, biases, gamma, beta, moving_mean and moving_variance");
    }

    public IReadOnlyList<LayerParameters> ToLayers()
    {
        var layers = new List<LayerParameters>();
        foreach (var name in _order)
        {
            var arrays = _parts[name];
            arrays.TryGetValue("weights", out var weights);
            arrays.TryGetValue("biases", out var biases);
            Tensor[]? batchNorm = null;
            int present = 0;
            foreach (var bn in NpzWriter.BatchNormNames) if (arrays.ContainsKey(bn)) present++;
            if (present == 4)
            {
                batchNorm = new Tensor[4];
                for (int i = 0; i < 4; i++) batchNorm[i] = arrays[NpzWriter.BatchNormNames[i]];
            }
            else if (present > 0)
            {
                throw LayerDictionary.NotLayers(_sourceName, $"layer '{name}' has {present} of the 4 batch norm arrays (gamma, beta, moving_mean, moving_variance)");
            }
            layers.Add(new LayerParameters(name, weights, biases, batchNorm));
        }
        return layers;
    }
}
