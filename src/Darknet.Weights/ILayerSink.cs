using System;

namespace Darknet.Weights;

/// <summary>
/// Where converted layers go, one at a time, in file order (the .npy dictionary writer, the .npz writer).
/// A sink writes as layers arrive; <see cref="Complete"/> finishes the file. Disposing without Complete leaves it unfinished.
/// </summary>
internal interface ILayerSink : IDisposable
{
    void Write(LayerParameters layer);

    void Complete();
}
