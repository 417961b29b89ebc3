namespace Darknet.Weights;

internal sealed class ConversionResult
{
    public ConversionResult(int layersWritten, long floatsRead, long floatsExpected, WeightsHeader header)
    {
        LayersWritten = layersWritten;
        FloatsRead = floatsRead;
        FloatsExpected = floatsExpected;
        Header = header;
    }

    public int LayersWritten { get; }

    public long FloatsRead { get; }

    /// <summary>Floats the (possibly limited) layout needs; equals <see cref="FloatsRead"/> after a successful run.</summary>
    public long FloatsExpected { get; }

    public WeightsHeader Header { get; }
}
