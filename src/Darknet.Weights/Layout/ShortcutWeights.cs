namespace Darknet.Weights.Layout;

/// <summary>
/// AlexeyAB's [shortcut] weights_type=: the weights a shortcut keeps for each of its n+1 inputs (the previous layer
/// first, then each from= layer). darknet stores them as (n+1) floats, or (n+1)·channels floats.
/// </summary>
internal enum ShortcutWeights
{
    None,
    /// <summary>weights_type=per_feature (or per_layer): one weight per input.</summary>
    PerFeature,
    /// <summary>weights_type=per_channel: one weight per input and channel.</summary>
    PerChannel,
}
