using System;
using System.Collections.Generic;

namespace Darknet.Weights.Layout;

/// <summary>How darknet's loader (parser.c, load_weights_upto) reads a block of floats.</summary>
internal enum BlockKind
{
    /// <summary>load_convolutional_weights: biases, [scales, rolling mean, rolling variance,] weights (out, in/groups, k, k).</summary>
    Convolutional,
    /// <summary>pjreddie's load_deconvolutional_weights: as a convolution, its weights stored (in, out, k, k).</summary>
    Deconvolutional,
    /// <summary>load_connected_weights: biases, weights (out, in), [scales, rolling mean, rolling variance].</summary>
    Connected,
    /// <summary>load_batchnorm_weights (pjreddie's): scales, rolling mean, rolling variance.</summary>
    BatchNorm,
    /// <summary>load_shortcut_weights (AlexeyAB's weighted [shortcut]): one weight per input, or per input and channel.</summary>
    ShortcutWeights,
}

/// <summary>One run of floats as darknet names it in its layer struct, e.g. ("biases", 64).</summary>
internal readonly struct FloatSlot
{
    public FloatSlot(string name, long count)
    {
        Name = name;
        Count = count;
    }

    public string Name { get; }

    public long Count { get; }
}

/// <summary>One array the converter makes of a block: "weights", "biases" or a batch-norm part, with its shape.</summary>
internal readonly struct StoredArray
{
    public StoredArray(string name, int[] shape)
    {
        Name = name;
        Shape = shape;
    }

    public string Name { get; }

    public int[] Shape { get; }
}

/// <summary>
/// One block of floats that darknet reads from a .weights file for a layer, in file order, and the arrays the converter
/// makes of it. A layer stores no block (a route, a convolution that shares another's weights), one, or — [crnn] —
/// three convolutions, each named by its <see cref="Role"/>. Every reader of a .weights file (the converter, the ONNX
/// exporter, safetensors' header, <c>darknet inspect --cfg</c>) takes the blocks from here.
/// </summary>
internal sealed class StoredBlock
{
    /// <summary>The batch-norm arrays in the order the seed's 'bn' list holds them.</summary>
    public static readonly string[] BatchNormNames = { "gamma", "beta", "moving_mean", "moving_variance" };

    private StoredBlock(BlockKind kind, string? role, int filters, int inputChannels, int groups, int size, int inputs,
        bool batchNormalize, bool flipped, int[]? shortcutShape)
    {
        Kind = kind;
        Role = role;
        Filters = filters;
        InputChannels = inputChannels;
        Groups = groups;
        Size = size;
        Inputs = inputs;
        BatchNormalize = batchNormalize;
        Flipped = flipped;
        ShortcutShape = shortcutShape;
        Slots = MakeSlots();
        foreach (var slot in Slots) FloatCount += slot.Count;
        Arrays = MakeArrays();
    }

    /// <summary>A convolution of <paramref name="filters"/> over <paramref name="inputChannels"/>; <paramref name="flipped"/>: stored (in·k·k, out).</summary>
    public static StoredBlock Convolution(int filters, int inputChannels, int groups, int size, bool batchNormalize, bool flipped = false, string? role = null) =>
        new StoredBlock(BlockKind.Convolutional, role, filters, inputChannels, groups, size, 0, batchNormalize, flipped, null);

    public static StoredBlock Deconvolution(int filters, int inputChannels, int size, bool batchNormalize) =>
        new StoredBlock(BlockKind.Deconvolutional, null, filters, inputChannels, 1, size, 0, batchNormalize, false, null);

    public static StoredBlock Connected(int outputs, int inputs, bool batchNormalize) =>
        new StoredBlock(BlockKind.Connected, null, outputs, 0, 1, 1, inputs, batchNormalize, false, null);

    public static StoredBlock BatchNorm(int channels) =>
        new StoredBlock(BlockKind.BatchNorm, null, channels, channels, 1, 1, 0, true, false, null);

    /// <summary>(inputs,) or, per channel, (inputs, channels): inputs = the previous layer and every from= layer.</summary>
    public static StoredBlock ShortcutWeights(int inputs, int? channels) =>
        new StoredBlock(BlockKind.ShortcutWeights, null, 0, 0, 1, 1, 0, false, false,
            channels == null ? new[] { inputs } : new[] { inputs, channels.Value });

    public BlockKind Kind { get; }

    /// <summary>The layer that stores this block (set when the layer takes it).</summary>
    public LayerInfo Layer { get; internal set; } = null!;

    /// <summary>Which of a layer's blocks this is ([crnn]: "input", "self", "output"); null for a layer's only block.</summary>
    public string? Role { get; }

    /// <summary>Output channels (convolution, deconvolution), outputs (connected) or channels (batchnorm).</summary>
    public int Filters { get; }

    /// <summary>Input channels of a convolution or deconvolution (all groups).</summary>
    public int InputChannels { get; }

    public int Groups { get; }

    /// <summary>Kernel size (1 where none).</summary>
    public int Size { get; }

    /// <summary>Connected: h·w·c of its input.</summary>
    public int Inputs { get; }

    public bool BatchNormalize { get; }

    /// <summary>A convolution with flipped=1: darknet stores its weights transposed, (in/groups·k·k, out), and transposes them when loading.</summary>
    public bool Flipped { get; }

    /// <summary>Shortcut weights: (inputs,) or (inputs, channels).</summary>
    public int[]? ShortcutShape { get; }

    /// <summary>The runs of floats in file order, named as darknet's layer struct names them.</summary>
    public IReadOnlyList<FloatSlot> Slots { get; }

    public long FloatCount { get; }

    /// <summary>The arrays the converter delivers for this block, in the order a sink receives them.</summary>
    public IReadOnlyList<StoredArray> Arrays { get; }

    /// <summary>Floats of the weight matrix alone.</summary>
    public long WeightCount => Kind switch
    {
        BlockKind.Convolutional => (long)Filters * (InputChannels / Groups) * Size * Size,
        BlockKind.Deconvolutional => (long)Filters * InputChannels * Size * Size,
        BlockKind.Connected => (long)Filters * Inputs,
        BlockKind.ShortcutWeights => ShortcutShape!.Length == 1 ? ShortcutShape[0] : (long)ShortcutShape[0] * ShortcutShape[1],
        _ => 0,
    };

    private FloatSlot[] MakeSlots()
    {
        long n = Filters;
        switch (Kind)
        {
            case BlockKind.Convolutional:
            case BlockKind.Deconvolutional:
                return BatchNormalize
                    ? new[] { new FloatSlot("biases", n), new FloatSlot("scales", n), new FloatSlot("rolling_mean", n), new FloatSlot("rolling_variance", n), new FloatSlot("weights", WeightCount) }
                    : new[] { new FloatSlot("biases", n), new FloatSlot("weights", WeightCount) };
            case BlockKind.Connected:
                return BatchNormalize
                    ? new[] { new FloatSlot("biases", n), new FloatSlot("weights", WeightCount), new FloatSlot("scales", n), new FloatSlot("rolling_mean", n), new FloatSlot("rolling_variance", n) }
                    : new[] { new FloatSlot("biases", n), new FloatSlot("weights", WeightCount) };
            case BlockKind.BatchNorm:
                return new[] { new FloatSlot("scales", n), new FloatSlot("rolling_mean", n), new FloatSlot("rolling_variance", n) };
            case BlockKind.ShortcutWeights:
                return new[] { new FloatSlot("weights", WeightCount) };
            default:
                throw new InvalidOperationException("unhandled block kind " + Kind);
        }
    }

    // The seed's layout: conv weights (k, k, in/groups, out), a deconvolution's (k, k, out, in), connected (in, out).
    private StoredArray[] MakeArrays()
    {
        var arrays = new List<StoredArray>();
        switch (Kind)
        {
            case BlockKind.Convolutional:
                arrays.Add(new StoredArray("weights", new[] { Size, Size, InputChannels / Groups, Filters }));
                break;
            case BlockKind.Deconvolutional:
                arrays.Add(new StoredArray("weights", new[] { Size, Size, Filters, InputChannels }));
                break;
            case BlockKind.Connected:
                arrays.Add(new StoredArray("weights", new[] { Inputs, Filters }));
                break;
            case BlockKind.ShortcutWeights:
                arrays.Add(new StoredArray("weights", ShortcutShape!));
                return arrays.ToArray();
        }
        if (BatchNormalize)
            foreach (var part in BatchNormNames) arrays.Add(new StoredArray(part, new[] { Filters }));
        else
            arrays.Add(new StoredArray("biases", new[] { Filters }));
        return arrays.ToArray();
    }
}
