using System;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Darknet.Weights;

/// <summary>
/// Produces layers (read + transpose) on a thread of its own while the caller writes the previous one, so reading,
/// transposing and writing overlap instead of taking turns. At most <see cref="LayersInFlight"/> layers exist at once,
/// and a layer is only started while the floats of the layers alive plus its own stay within a budget and its memory
/// has room beside theirs (<see cref="IWeightMemory.Fits"/>; a layer alone always may): small layers run ahead of a
/// big one being written, two big ones never wait beside a third. For yolov3 (3x3 layers of 4.7 M floats between 1x1
/// layers of 0.5 M) that is at most two big layers and a small one.
/// Errors are the sequential run's errors: layers come out in order, a failure of layer k surfaces from
/// <see cref="Take"/> only after layers 0..k-1 were taken, and the caller's own failure (its sink, cancellation)
/// stops the producer in <see cref="Dispose"/>, which returns only when the producer no longer runs: after it,
/// nothing reads the weights stream but the caller.
/// </summary>
internal sealed class LayerPipeline : IDisposable
{
    public const int LayersInFlight = 3;

    private readonly int _count;
    private readonly Func<int, LayerParameters> _produce;
    private readonly CancellationToken _cancellation;
    private readonly CancellationTokenSource _stop;
    private readonly BlockingCollection<LayerParameters> _ready = new BlockingCollection<LayerParameters>();
    private readonly Func<int, long> _floatsOf;
    private readonly long _floatBudget;
    private readonly IWeightMemory? _memory;
    private readonly object _gate = new object();
    private readonly System.Collections.Generic.Queue<long> _alive = new System.Collections.Generic.Queue<long>();
    private long _aliveFloats;
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _failure;
    private bool _disposed;

    /// <param name="floatsOf">The floats of layer i (its arrays' size); null counts every layer as one.</param>
    /// <param name="floatBudget">The floats the layers alive may hold together (a layer alone always may start).</param>
    /// <param name="memory">Where the layers' weights go: a layer starts only when it <see cref="IWeightMemory.Fits"/>
    /// too (checked again after each <see cref="Written"/>, so the caller releases a layer's memory before that).</param>
    public LayerPipeline(int count, Func<int, LayerParameters> produce, CancellationToken cancellation,
                         Func<int, long>? floatsOf = null, long floatBudget = long.MaxValue, IWeightMemory? memory = null)
    {
        _memory = memory;
        _floatsOf = floatsOf ?? (_ => 1);
        _floatBudget = floatBudget;
        _count = count;
        _produce = produce ?? throw new ArgumentNullException(nameof(produce));
        _cancellation = cancellation;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        _thread = new Thread(Produce) { IsBackground = true, Name = "darknet layer reader" };
        _thread.Start();
    }

    /// <summary>
    /// The next layer, in order. Throws what producing it threw (same exception, its stack kept), or
    /// <see cref="OperationCanceledException"/> once the caller's token is cancelled. Hand the layer back with
    /// <see cref="Written"/> when done with it.
    /// </summary>
    public LayerParameters Take()
    {
        _cancellation.ThrowIfCancellationRequested();
        if (_ready.TryTake(out var layer, Timeout.Infinite, _cancellation)) return layer;
        _thread.Join(); // the producer completed the queue: its failure (if any) is set
        _cancellation.ThrowIfCancellationRequested();
        _failure?.Throw();
        throw new InvalidOperationException("the layer reader stopped before the last layer without an error");
    }

    /// <summary>The caller is done with a taken layer: the producer may start another.</summary>
    public void Written()
    {
        lock (_gate)
        {
            _aliveFloats -= _alive.Dequeue();
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until layer <paramref name="index"/> may start (see the class), then counts it alive.</summary>
    private void WaitForRoom(int index, CancellationToken token)
    {
        long floats = _floatsOf(index);
        lock (_gate)
        {
            while (_alive.Count > 0 && (_alive.Count >= LayersInFlight || _aliveFloats + floats > _floatBudget ||
                                        (_memory != null && !_memory.Fits(floats))))
            {
                token.ThrowIfCancellationRequested();
                Monitor.Wait(_gate, 50); // woken by Written; the timeout notices a cancellation
            }
            _alive.Enqueue(floats);
            _aliveFloats += floats;
        }
    }

    private void Produce()
    {
        var token = _stop.Token;
        try
        {
            for (int i = 0; i < _count; i++)
            {
                WaitForRoom(i, token);
                token.ThrowIfCancellationRequested();
                _ready.Add(_produce(i));
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped by Dispose or by the caller's token: the caller reports why.
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            _ready.CompleteAdding();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        _ready.Dispose();
    }
}
