using System;
using System.IO;
using System.IO.Compression;

namespace Darknet.Weights.Numpy;

/// <summary>
/// Writes a pickle-free .npz (what <c>np.savez</c> writes): a zip with one stored .npy per array, named
/// <c>conv_1/weights.npy</c>, <c>conv_1/biases.npy</c>, <c>conv_1/gamma.npy</c>, <c>conv_1/beta.npy</c>,
/// <c>conv_1/moving_mean.npy</c>, <c>conv_1/moving_variance.npy</c>; <c>np.load(p)</c> lists them without ".npy".
/// Entries go to the stream one by one as layers arrive; <see cref="Complete"/> writes the zip's central directory.
/// </summary>
internal sealed class NpzWriter : ILayerSink
{
    internal static readonly string[] BatchNormNames = Layout.StoredBlock.BatchNormNames;

    private static readonly DateTimeOffset ZipEpoch = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly ZipArchive _archive;
    private readonly byte[] _buffer = new byte[FloatBytes.WriteChunkBytes];
    private bool _completed;
    private bool _disposed;

    public NpzWriter(Stream output, bool leaveOpen = false)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _leaveOpen = leaveOpen;
        _archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
    }

    public void Write(LayerParameters layer)
    {
        if (layer == null) throw new ArgumentNullException(nameof(layer));
        CheckOpen();
        if (layer.BatchNorm != null && layer.BatchNorm.Length != 4)
            throw new ArgumentException($"layer {layer.Name}: batch norm needs 4 arrays (gamma, beta, mean, variance), got {layer.BatchNorm.Length}");
        if (layer.Weights != null) WriteEntry(layer.Name + "/weights", layer.Weights);
        if (layer.Biases != null) WriteEntry(layer.Name + "/biases", layer.Biases);
        if (layer.BatchNorm != null)
            for (int i = 0; i < 4; i++) WriteEntry(layer.Name + "/" + BatchNormNames[i], layer.BatchNorm[i]);
        _output.Flush();
    }

    public void Complete()
    {
        CheckOpen();
        _archive.Dispose();
        _output.Flush();
        _completed = true;
    }

    /// <summary>Without <see cref="Complete"/> the zip is left without its central directory: unreadable on purpose.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_leaveOpen) _output.Dispose();
    }

    private void WriteEntry(string name, Tensor tensor)
    {
        // Stored, like np.savez: float weights barely compress, and numpy's zipfile reads stored entries directly.
        var entry = _archive.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
        // A fixed time (the zip format's epoch) rather than now: the same weights give the same bytes, whenever converted.
        entry.LastWriteTime = ZipEpoch;
        using (var s = entry.Open())
        {
            NpyHeader.Write(s, "<f4", tensor.Shape);
            FloatBytes.Write(s, tensor.Values.Span, _buffer);
        }
    }

    private void CheckOpen()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(NpzWriter));
        if (_completed) throw new InvalidOperationException("the .npz is already complete");
    }
}
