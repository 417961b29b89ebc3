using System;
using System.Linq;
using Darknet.Weights.Layout;

namespace Darknet.Weights
{
    /// <summary>
    /// Reads one weighted layer's floats in darknet's file order and returns them in the seed's layout.
    /// Transposes straight out of the reader's 1 MiB buffer, so a layer costs only its own output arrays.
    /// </summary>
    internal sealed class LayerReader
    {
        private readonly FloatStreamReader _reader;
        private readonly WeightsHeader _header;
        private readonly ConversionPlan _plan;
        private readonly long? _weightsLength;
        private const int ChunkFloats = 256 * 1024; // FloatStreamReader's 1 MiB buffer
        private readonly RecycledWeightArrays _weightArrays;

        public LayerReader(FloatStreamReader reader, WeightsHeader header, ConversionPlan plan, long? weightsLength, RecycledWeightArrays weightArrays)
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
            var layer = _plan.Layers[planIndex];
            var name = _plan.Names[planIndex];
            if (!_weightsLength.HasValue && layer.FloatCount > ReadAheadAbove && !_reader.ReadAhead(layer.FloatCount))
                throw _plan.TooShort(_header, _reader.FloatsRead + _reader.FloatsAhead, null);
            var parameters = layer.Type switch
            {
                LayerType.Convolutional => ReadConvolutional(layer, name, planIndex),
                // darknet loads deconv weights with the conv loader; they are stored (in, out, h, w), so the same
                // (2, 3, 1, 0) transposition gives (h, w, out, in): TensorFlow's conv2d_transpose filter layout.
                LayerType.Deconvolutional => ReadConvolutional(layer, name, planIndex),
                LayerType.Connected => ReadConnected(layer, name, planIndex),
                LayerType.BatchNorm => ReadBatchNorm(layer, name, planIndex),
                LayerType.Shortcut => ReadShortcut(layer, name, planIndex),
                _ => throw new DarknetException(ErrorCodes.UnsupportedLayer,
                    $"layer {layer.Index} ([{ConversionPlan.SectionName(layer.Type)}]{(layer.Line > 0 ? $" at cfg line {layer.Line}" : "")}) carries weights this converter cannot read"),
            };
            return parameters;
        }

        private LayerParameters ReadConvolutional(LayerInfo layer, string name, int planIndex)
        {
            int n = layer.Filters;
            int groups = Math.Max(1, layer.Groups);
            int dim0, dim1;
            if (layer.Type == LayerType.Deconvolutional) { dim0 = layer.InputChannels; dim1 = n; }
            else { dim0 = n; dim1 = layer.InputChannels / groups; }
            long weightCount = (long)dim0 * dim1 * layer.Size * layer.Size;
            CheckCount(layer, planIndex, (layer.BatchNormalize ? 4L * n : n) + weightCount);

            Tensor? biases = null;
            Tensor[]? batchNorm = null;
            if (layer.BatchNormalize)
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

            var hwio = ReadTransposed((int)weightCount, dim0, dim1, layer.Size);
            var weights = new Tensor(new[] { layer.Size, layer.Size, dim1, dim0 }, hwio);
            return new LayerParameters(name, weights, biases, batchNorm);
        }

        private LayerParameters ReadConnected(LayerInfo layer, string name, int planIndex)
        {
            int outputs = layer.Filters;
            int inputs = layer.Inputs;
            long weightCount = (long)outputs * inputs;
            CheckCount(layer, planIndex, outputs + weightCount + (layer.BatchNormalize ? 3L * outputs : 0));

            var bias = ReadVector(outputs);
            float[] inputsByOutputs;
            if (_header.TransposeConnected)
            {
                // Such files store (inputs, outputs): darknet transposes after reading; the seed's layout is that order already.
                inputsByOutputs = _weightArrays.Take((int)weightCount);
                ReadExactly(inputsByOutputs, inputsByOutputs.Length);
            }
            else
            {
                inputsByOutputs = ReadTransposed((int)weightCount, outputs, inputs, 1);
            }
            var weights = new Tensor(new[] { inputs, outputs }, inputsByOutputs);

            if (!layer.BatchNormalize) return new LayerParameters(name, weights, bias, null);
            var gamma = ReadVector(outputs);
            var mean = ReadVector(outputs);
            var variance = ReadVector(outputs);
            // With batch norm darknet uses the connected layer's bias as the BN beta.
            return new LayerParameters(name, weights, null, new[] { gamma, bias, mean, variance });
        }

        private LayerParameters ReadBatchNorm(LayerInfo layer, string name, int planIndex)
        {
            int c = layer.OutputChannels;
            CheckCount(layer, planIndex, 3L * c);
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
        private LayerParameters ReadShortcut(LayerInfo layer, string name, int planIndex)
        {
            int inputs = layer.Sources.Count + 1;
            var shape = layer.ShortcutWeights == ShortcutWeights.PerChannel ? new[] { inputs, layer.OutputChannels } : new[] { inputs };
            long count = shape.Aggregate(1L, (a, d) => a * d);
            CheckCount(layer, planIndex, count);
            var weights = ReadVector((int)count);
            return new LayerParameters(name, new Tensor(shape, weights.Data), null, null);
        }

        private void CheckCount(LayerInfo layer, int planIndex, long count)
        {
            if (count != layer.FloatCount)
                throw new InvalidOperationException(
                    $"layer {layer.Index} ('{_plan.Names[planIndex]}'): its parameter shapes hold {count} floats but the layout says {layer.FloatCount}");
            if (count > int.MaxValue)
                throw new DarknetException(ErrorCodes.BadSize, $"layer {layer.Index} ('{_plan.Names[planIndex]}') has {count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters: too many for one array");
        }

        private Tensor ReadVector(int count)
        {
            var data = new float[count];
            ReadExactly(data, count);
            return new Tensor(new[] { count }, data);
        }

        /// <summary>Reads (d0, d1, size, size) weights straight from the reader's buffer into their (size, size, d1, d0) places.</summary>
        private float[] ReadTransposed(int count, int d0, int d1, int size)
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

        private ReadOnlySpan<float> ReadInPlace(int count)
        {
            var floats = _reader.ReadInPlace(count);
            if (floats.Length < count)
                throw _plan.TooShort(_header, _reader.FloatsRead, _weightsLength);
            return floats;
        }

        private void ReadExactly(float[] destination, int count)
        {
            int got = _reader.Read(destination, 0, count);
            if (got < count)
                throw _plan.TooShort(_header, _reader.FloatsRead, _weightsLength);
        }
    }
}
