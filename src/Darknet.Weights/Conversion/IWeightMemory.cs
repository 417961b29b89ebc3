using System;

namespace Darknet.Weights;

/// <summary>
/// Where <see cref="LayerReader"/> puts a layer's (large) weight values: fresh or recycled arrays
/// (<see cref="RecycledWeightArrays"/>), or slices of one ring that the file writers' layers take turns in
/// (<see cref="WeightRing"/>). Taken on the <see cref="LayerPipeline"/>'s thread, released on the writer's.
/// </summary>
internal interface IWeightMemory
{
    /// <summary>
    /// Whether values for a layer of <paramref name="floats"/> can be taken now, beside those taken and not yet released
    /// (the pipeline starts a layer only then, so <see cref="Take"/> never waits).
    /// </summary>
    bool Fits(long floats);

    /// <summary><paramref name="length"/> floats; reused memory holds old values, so the caller overwrites all of it.</summary>
    Memory<float> Take(int length);

    /// <summary>The tensor of <paramref name="shape"/> over values from <see cref="Take"/>.</summary>
    Tensor Wrap(int[] shape, Memory<float> values);

    /// <summary>The sink has written this layer (layers are released in the order they were taken).</summary>
    void Release(LayerParameters written);
}
