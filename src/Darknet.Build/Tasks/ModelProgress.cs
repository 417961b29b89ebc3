using System;
using System.IO;
using System.Threading;

namespace Darknet.Build.Tasks;

/// <summary>
/// How far one model's background acquire has got: its weights are verified in the machine cache, then its obj/ file
/// is in place (or it failed). Registered with MSBuild under its obj/ path for <see cref="ShowDarknetModelProgress"/>,
/// which waits on it inside a status project named for the model, so that the live status line names the model.
/// </summary>
internal sealed class ModelProgress : IDisposable
{
    private readonly ManualResetEventSlim _weights = new ManualResetEventSlim(false);
    private readonly ManualResetEventSlim _done = new ManualResetEventSlim(false);

    public ModelProgress(AcquireLog log) => Log = log;

    /// <summary>The acquire work's log: its messages are replayed by whoever waits, as they come.</summary>
    public AcquireLog Log { get; }

    public static string KeyFor(string outputPath) => typeof(ModelProgress).FullName + "|" + Path.GetFullPath(outputPath);

    public void WeightsReady() => _weights.Set();

    /// <summary>Its obj/ file is in place (<paramref name="acquired"/>), or it failed or was never reached.</summary>
    public void Done(bool acquired)
    {
        if (!acquired) Failed = true;
        _weights.Set();
        _done.Set();
    }

    /// <summary>Set (before Done's signal) when the model was not acquired: its errors are in the work's log.</summary>
    public bool Failed { get; private set; }

    /// <summary>Set once the phase is over: "Weights" (downloaded or found, and verified) or "Done" (in obj/, or failed).</summary>
    public WaitHandle For(string phase) =>
        string.Equals(phase, "Weights", StringComparison.OrdinalIgnoreCase) ? _weights.WaitHandle : _done.WaitHandle;

    public void Dispose()
    {
        _weights.Dispose();
        _done.Dispose();
    }
}
