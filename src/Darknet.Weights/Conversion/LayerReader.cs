using System;
using System.Linq;
using Darknet.Weights.Layout;

namespace Darknet.Weights;

/// <summary>
/// Reads one weighted layer's floats in darknet's file order and returns them in the seed's layout.
/// Transposes straight out of the reader's 1 MiB buffer, so a layer costs only its own output values (its weights in
/// the <see cref="IWeightMemory"/> it is given).
/// </summary>
internal sealed class LayerReader
{
    private readonly FloatStreamReader _reader;
    private readonly WeightsHeader _header;
    private readonly ConversionPlan _plan;
    private readonly long? _weightsLength;
    private const int ChunkFloats = 256 * 1024; // FloatStreamReader's 1 MiB buffer
    private readonly IWeightMemory _weightArrays;

    public LayerReader(FloatStreamReader reader, WeightsHeader header, ConversionPlan plan, long? weightsLength, IWeightMemory weightArrays)
    {
        _reader = reader;
        _header = header;
        _plan = plan;
        _weightsLength = weightsLength;
        _weightArrays = weightArrays;
    }

    // From a stream of unknown length, a layer with more floats than this is read ahead before its arrays are
    // allocated: the cfg's numbers alone never size an allocation (a layer of 2^31 floats from an empty stream).
    private const long ReadAheadAbove = 1 << 20;

    public LayerParameters Read(int planIndex)
    {
        var block = _plan.Blocks[planIndex];
        var name = _plan.Names[planIndex];
        if (!_weightsLength.HasValue && block.FloatCount > ReadAheadAbove && !_reader.ReadAhead(block.FloatCount))
            throw _plan.TooShort(_header, _reader.FloatsRead + _reader.FloatsAhead, null);
        return block.Kind switch
        {
            BlockKind.Convolutional => ReadConvolutional(block, name, planIndex),
            // darknet loads deconv weights with the conv loader; they are stored (in, out, h, w), so the same
            // (2, 3, 1, 0) transposition gives (h, w, out, in): TensorFlow's conv2d_transpose filter layout.
            BlockKind.Deconvolutional => ReadConvolutional(block, name, planIndex),
            BlockKind.Connected => ReadConnected(block, name, planIndex),
            BlockKind.BatchNorm => ReadBatchNorm(block, name, planIndex),
            BlockKind.ShortcutWeights => ReadShortcut(block, name, planIndex),
            _ => throw new InvalidOperationException("unhandled block kind " + block.Kind),
        };
    }

    private LayerParameters ReadConvolutional(StoredBlock block, string name, int planIndex)
    {
        int n = block.Filters;
        int dim0, dim1;
        if (block.Kind == BlockKind.Deconvolutional) { dim0 = block.InputChannels; dim1 = n; }
        else { dim0 = n; dim1 = block.InputChannels / block.Groups; }
        long weightCount = (long)dim0 * dim1 * block.Size * block.Size;
        CheckCount(block, planIndex, (block.BatchNormalize ? 4L * n : n) + weightCount);

        Tensor? biases = null;
        Tensor[]? batchNorm = null;
        if (block.BatchNormalize)
        {
            var beta = ReadVector(n);
            var gamma = ReadVector(n);
            var mean = ReadVector(n);
            var variance = ReadVector(n);
            batchNorm = new[] { gamma, beta, mean, variance };
        }
        else
        {
            biases = ReadVector(n);
        }

        // flipped=1: the file holds (in·k·k, out), which darknet transposes into its usual (out, in, k, k) on loading.
        var hwio = block.Flipped
            ? ReadTransposedFlipped((int)weightCount, dim0, dim1, block.Size)
            : ReadTransposed((int)weightCount, dim0, dim1, block.Size);
        var weights = _weightArrays.Wrap(new[] { block.Size, block.Size, dim1, dim0 }, hwio);
        return new LayerParameters(name, weights, biases, batchNorm);
    }

    private LayerParameters ReadConnected(StoredBlock block, string name, int planIndex)
    {
        int outputs = block.Filters;
        int inputs = block.Inputs;
        long weightCount = (long)outputs * inputs;
        CheckCount(block, planIndex, outputs + weightCount + (block.BatchNormalize ? 3L * outputs : 0));

        var bias = ReadVector(outputs);
        Memory<float> inputsByOutputs;
        if (_header.TransposeConnected)
        {
            // Such files store (inputs, outputs): darknet transposes after reading; the seed's layout is that order already.
            inputsByOutputs = _weightArrays.Take((int)weightCount);
            ReadExactly(inputsByOutputs.Span);
        }
        else
        {
            inputsByOutputs = ReadTransposed((int)weightCount, outputs, inputs, 1);
        }
        var weights = _weightArrays.Wrap(new[] { inputs, outputs }, inputsByOutputs);

        if (!block.BatchNormalize) return new LayerParameters(name, weights, bias, null);
        var gamma = ReadVector(outputs);
        var mean = ReadVector(outputs);
        var variance = ReadVector(outputs);
        // With batch norm darknet uses the connected layer's bias as the BN beta.
        return new LayerParameters(name, weights, null, new[] { gamma, bias, mean, variance });
    }

    private LayerParameters ReadBatchNorm(StoredBlock block, string name, int planIndex)
    {
        int c = block.Filters;
        CheckCount(block, planIndex, 3L * c);
        var gamma = ReadVector(c);
        var mean = ReadVector(c);
        var variance = ReadVector(c);
        // A [batchnorm] layer stores no beta: darknet keeps it at zero.
        var beta = new Tensor(new[] { c }, new float[c]);
        return new LayerParameters(name, null, null, new[] { gamma, beta, mean, variance });
    }

    /// <summary>
    /// AlexeyAB's weighted [shortcut]: one weight per input (the previous layer first, then each from= layer), or one
    /// per input and channel, stored input-major: (inputs,) or (inputs, channels). No biases, no batch norm.
    /// </summary>
    private LayerParameters ReadShortcut(StoredBlock block, string name, int planIndex)
    {
        var shape = block.ShortcutShape!;
        long count = shape.Aggregate(1L, (a, d) => a * d);
        CheckCount(block, planIndex, count);
        var weights = ReadVector((int)count);
        return new LayerParameters(name, new Tensor(shape, weights.Data), null, null);
    }

    private void CheckCount(StoredBlock block, int planIndex, long count)
    {
        if (count != block.FloatCount)
            throw new InvalidOperationException(
                $"layer {block.Layer.Index} ('{_plan.Names[planIndex]}'): its parameter shapes hold {count} floats but the layout says {block.FloatCount}");
        if (count > int.MaxValue)
            throw new DarknetException(ErrorCodes.BadSize, $"layer {block.Layer.Index} ('{_plan.Names[planIndex]}') has {count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters: too many for one array");
    }

    private Tensor ReadVector(int count)
    {
        var data = new float[count];
        ReadExactly(data, count);
        return new Tensor(new[] { count }, data);
    }

    /// <summary>Reads (d0, d1, size, size) weights straight from the reader's buffer into their (size, size, d1, d0) places.</summary>
    private Memory<float> ReadTransposed(int count, int d0, int d1, int size)
    {
        var result = _weightArrays.Take(count);
        var transposition = new WeightTransposition(result, d0, d1, size, size);
        int rowLength = d1 * size * size;
        if (rowLength > 0 && rowLength <= ChunkFloats)
        {
            // Whole output channels per chunk: the blocked transposition (see WeightTransposition.AddRows).
            int rowsPerChunk = ChunkFloats / rowLength;
            for (int left = d0; left > 0;)
            {
                int rows = Math.Min(left, rowsPerChunk);
                transposition.AddRows(ReadInPlace(rows * rowLength), rows);
                left -= rows;
            }
            return result;
        }
        for (int left = count; left > 0;)
        {
            int n = Math.Min(left, ChunkFloats);
            transposition.Add(ReadInPlace(n));
            left -= n;
        }
        return result;
    }

    /// <summary>
    /// Reads flipped weights, stored (d1·size·size, d0), into their (size, size, d1, d0) places: each file row holds
    /// one (input, y, x) position for every output, which is already the seed's innermost order.
    /// </summary>
    private Memory<float> ReadTransposedFlipped(int count, int d0, int d1, int size)
    {
        var result = _weightArrays.Take(count);
        var values = result.Span;
        int kk = size * size;
        for (int row = 0; row < d1 * kk; row++)
        {
            int input = row / kk, yx = row % kk, at = (yx * d1 + input) * d0;
            for (int done = 0; done < d0;)
            {
                int n = Math.Min(d0 - done, ChunkFloats);
                ReadInPlace(n).CopyTo(values.Slice(at + done, n));
                done += n;
            }
        }
        return result;
    }

    private ReadOnlySpan<float> ReadInPlace(int count)
    {
        var floats = _reader.ReadInPlace(count);
        if (floats.Length < count)
            throw _plan.TooShort(_header, _reader.FloatsRead, _weightsLength);
        return floats;
    }

    private void ReadExactly(Span<float> destination)
    {
        for (int done = 0; done < destination.Length;)
        {
            int n = Math.Min(destination.Length - done, ChunkFloats);
            ReadInPlace(n).CopyTo(destination.Slice(done, n));
            done += n;
        }
    }

    private void ReadExactly(float[] destination, int count)
    {
        int got = _reader.Read(destination, 0, count);
        if (got < count)
            throw _plan.TooShort(_header, _reader.FloatsRead, _weightsLength);
    }
}
