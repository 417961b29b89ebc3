using System;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Darknet.Weights
{
    /// <summary>
    /// Produces layers (read + transpose) on a thread of its own while the caller writes the previous one, so reading,
    /// transposing and writing overlap instead of taking turns. At most <see cref="LayersInFlight"/> layers exist at once
    /// (the one being written and the one being read), which bounds memory: for yolov3, two 18.9 MB layers.
    /// Errors are the sequential run's errors: layers come out in order, a failure of layer k surfaces from
    /// <see cref="Take"/> only after layers 0..k-1 were taken, and the caller's own failure (its sink, cancellation)
    /// stops the producer in <see cref="Dispose"/>, which returns only when the producer no longer runs: after it,
    /// nothing reads the weights stream but the caller.
    /// </summary>
    internal sealed class LayerPipeline : IDisposable
    {
        public const int LayersInFlight = 2;

        private readonly int _count;
        private readonly Func<int, LayerParameters> _produce;
        private readonly CancellationToken _cancellation;
        private readonly CancellationTokenSource _stop;
        private readonly BlockingCollection<LayerParameters> _ready = new BlockingCollection<LayerParameters>();
        private readonly SemaphoreSlim _slots = new SemaphoreSlim(LayersInFlight);
        private readonly Thread _thread;
        private ExceptionDispatchInfo? _failure;
        private bool _disposed;

        public LayerPipeline(int count, Func<int, LayerParameters> produce, CancellationToken cancellation)
        {
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
        public void Written() => _slots.Release();

        private void Produce()
        {
            var token = _stop.Token;
            try
            {
                for (int i = 0; i < _count; i++)
                {
                    _slots.Wait(token);
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
            _slots.Dispose();
            _ready.Dispose();
        }
    }
}
