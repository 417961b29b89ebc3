using System;
using System.IO;

namespace Darknet.Weights.Numpy;

/// <summary>
/// Writes what numpy 1.24's <c>np.save(path, d)</c> writes for a dict <c>d</c> of layers: the .npy header of a 0-d
/// object array, then a protocol-3 pickle of that array. Each layer becomes
/// <c>d[name] = {'weights': &lt;f4 array, 'biases': &lt;f4 array}</c> or <c>{'weights': …, 'bn': [gamma, beta, mean, var]}</c>.
/// The pickle is written by hand on purpose: a general pickler (Razorvine.Pickle, say) builds the whole object
/// graph in memory first, while this writer emits each layer's opcodes and bytes as soon as <see cref="Write"/>
/// is called, so a conversion holds one layer at a time. <see cref="Complete"/> closes the dict and the array.
/// </summary>
internal sealed class NpyDictionaryWriter : ILayerSink
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly PickleWriter _pickle;
    private bool _started;
    private bool _completed;
    private bool _disposed;

    public NpyDictionaryWriter(Stream output, bool leaveOpen = false)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _leaveOpen = leaveOpen;
        _pickle = new PickleWriter(output);
    }

    public void Write(LayerParameters layer)
    {
        if (layer == null) throw new ArgumentNullException(nameof(layer));
        CheckOpen();
        if (layer.BatchNorm != null && layer.BatchNorm.Length != 4)
            throw new ArgumentException($"layer {layer.Name}: batch norm needs 4 arrays (gamma, beta, mean, variance), got {layer.BatchNorm.Length}");
        Start();

        var p = _pickle;
        p.Unicode(layer.Name);
        p.Opcode(PickleOpcodes.EmptyDict);
        p.Opcode(PickleOpcodes.Mark);
        if (layer.Weights != null)
        {
            p.Unicode("weights");
            WriteFloatArray(layer.Weights);
        }
        if (layer.Biases != null)
        {
            p.Unicode("biases");
            WriteFloatArray(layer.Biases);
        }
        if (layer.BatchNorm != null)
        {
            p.Unicode("bn");
            p.Opcode(PickleOpcodes.EmptyList);
            p.Opcode(PickleOpcodes.Mark);
            foreach (var t in layer.BatchNorm) WriteFloatArray(t);
            p.Opcode(PickleOpcodes.Appends);
        }
        p.Opcode(PickleOpcodes.SetItems);
        p.Flush();
    }

    public void Complete()
    {
        CheckOpen();
        Start();
        var p = _pickle;
        p.Opcode(PickleOpcodes.SetItems); // the layers into the dict
        p.Opcode(PickleOpcodes.Append);   // the dict into the object array's item list
        p.Opcode(PickleOpcodes.Tuple);    // the array's state tuple
        p.Opcode(PickleOpcodes.Build);
        p.Opcode(PickleOpcodes.Stop);
        p.Flush();
        _completed = true;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_leaveOpen) _output.Dispose();
    }

    private void CheckOpen()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(NpyDictionaryWriter));
        if (_completed) throw new InvalidOperationException("the .npy dictionary is already complete");
    }

    // Header and the opening of the 0-d object array, up to the open dict that the layers go into:
    // _reconstruct(ndarray, (0,), b'b') then BUILD with (1, (), dtype('O8'), False, [ {…
    private void Start()
    {
        if (_started) return;
        _started = true;
        NpyHeader.Write(_output, "|O", new int[0]);
        var p = _pickle;
        p.Opcode(PickleOpcodes.Proto);
        p.Opcode(3);
        WriteReconstructCall();
        p.Opcode(PickleOpcodes.Mark);
        p.Int(1);
        p.Opcode(PickleOpcodes.EmptyTuple);
        WriteDtype("O8", "|", 63);
        p.Opcode(PickleOpcodes.NewFalse);
        p.Opcode(PickleOpcodes.EmptyList);
        p.Opcode(PickleOpcodes.EmptyDict);
        p.Opcode(PickleOpcodes.Mark);
    }

    private void WriteFloatArray(Tensor tensor)
    {
        var p = _pickle;
        WriteReconstructCall();
        p.Opcode(PickleOpcodes.Mark);
        p.Int(1);
        WriteShape(tensor.Shape);
        WriteDtype("f4", "<", 0);
        p.Opcode(PickleOpcodes.NewFalse);
        p.FloatBytesObject(tensor.Values.Span);
        p.Opcode(PickleOpcodes.Tuple);
        p.Opcode(PickleOpcodes.Build);
    }

    private void WriteReconstructCall()
    {
        var p = _pickle;
        p.Global("numpy.core.multiarray", "_reconstruct");
        p.Global("numpy", "ndarray");
        p.Int(0);
        p.Opcode(PickleOpcodes.Tuple1);
        p.ShortBytes(new[] { (byte)'b' });
        p.Opcode(PickleOpcodes.Tuple3);
        p.Opcode(PickleOpcodes.Reduce);
    }

    // dtype(name, False, True) then BUILD with its state (3, endian, None, None, None, -1, -1, flags).
    private void WriteDtype(string name, string endian, int flags)
    {
        var p = _pickle;
        p.Global("numpy", "dtype");
        p.Unicode(name);
        p.Opcode(PickleOpcodes.NewFalse);
        p.Opcode(PickleOpcodes.NewTrue);
        p.Opcode(PickleOpcodes.Tuple3);
        p.Opcode(PickleOpcodes.Reduce);
        p.Opcode(PickleOpcodes.Mark);
        p.Int(3);
        p.Unicode(endian);
        p.Opcode(PickleOpcodes.None);
        p.Opcode(PickleOpcodes.None);
        p.Opcode(PickleOpcodes.None);
        p.Int(-1);
        p.Int(-1);
        p.Int(flags);
        p.Opcode(PickleOpcodes.Tuple);
        p.Opcode(PickleOpcodes.Build);
    }

    private void WriteShape(int[] shape)
    {
        var p = _pickle;
        switch (shape.Length)
        {
            case 0: p.Opcode(PickleOpcodes.EmptyTuple); return;
            case 1: p.Int(shape[0]); p.Opcode(PickleOpcodes.Tuple1); return;
            case 2: p.Int(shape[0]); p.Int(shape[1]); p.Opcode(PickleOpcodes.Tuple2); return;
            case 3: p.Int(shape[0]); p.Int(shape[1]); p.Int(shape[2]); p.Opcode(PickleOpcodes.Tuple3); return;
            default:
                p.Opcode(PickleOpcodes.Mark);
                foreach (var d in shape) p.Int(d);
                p.Opcode(PickleOpcodes.Tuple);
                return;
        }
    }
}
