namespace Darknet.Weights.Tests.Conversion;

/// <summary>Keeps what the converter hands over, and whether it said the output is complete.</summary>
internal sealed class ListSink : ILayerSink
{
    public List<LayerParameters> Layers { get; } = new();

    public bool Completed { get; private set; }

    public void Write(LayerParameters layer) => Layers.Add(layer);

    public void Complete() => Completed = true;

    public void Dispose() { }
}
