using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Darknet.Build.Tasks;

/// <summary>
/// Joins the acquire work <see cref="AcquireDarknetModels"/> left running in the background, before anything reads
/// the obj/ files: logs what it said, in order, and fails the build with its errors. Nothing to do when the acquire
/// step was up to date or ran synchronously.
/// </summary>
public sealed partial class WaitForDarknetModels : Task, ICancelableTask
{
    private readonly object _gate = new object();
    private BackgroundAcquisition? _work;
    private bool _cancelled;

    /// <summary>The items given to AcquireDarknetModels (they name the work to wait for).</summary>
    [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    public void Cancel()
    {
        lock (_gate)
        {
            _cancelled = true;
            _work?.Cancel();
        }
    }

    /// <summary>
    /// "EmbeddedResource": wait only for the items of that As (csc reads them), replay what the work said so far and
    /// leave it running for the rest. Empty: wait for all of it and end it.
    /// </summary>
    public string? Only { get; set; }

    public override bool Execute()
    {
        if (!(BuildEngine is IBuildEngine4 engine)) return true;
        if (!string.IsNullOrEmpty(Only)) return WaitFor(engine, Only!);
        var work = engine.UnregisterTaskObject(BackgroundAcquisition.KeyFor(BuildEngine, Models), RegisteredTaskObjectLifetime.Build) as BackgroundAcquisition;
        if (work == null) return true;
        using (work)
        {
            lock (_gate)
            {
                _work = work;
                if (_cancelled) work.Cancel();
            }
            var watch = Stopwatch.StartNew();
            // While it waits, the node may build other projects (as for a tool's process).
            var yielding = BuildEngine as IBuildEngine3;
            yielding?.Yield();
            try
            {
                work.WaitAndReplay(Log);
            }
            finally
            {
                yielding?.Reacquire();
            }
            Log.LogMessage(MessageImportance.Low, "Darknet: waited " + watch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture) +
                                                     " ms for the background acquire of " + work.What);
        }
        foreach (var model in Models)
            (engine.UnregisterTaskObject(ModelProgress.KeyFor(model.ItemSpec), RegisteredTaskObjectLifetime.Build) as IDisposable)?.Dispose();
        return !Log.HasLoggedErrors;
    }

    private bool WaitFor(IBuildEngine4 engine, string only)
    {
        var models = Models.Where(m => string.Equals(m.GetMetadata("As"), only, StringComparison.OrdinalIgnoreCase))
            .Select(m => engine.GetRegisteredTaskObject(ModelProgress.KeyFor(m.ItemSpec), RegisteredTaskObjectLifetime.Build) as ModelProgress)
            .Where(p => p != null).ToList();
        if (models.Count == 0) return true;
        if (!(engine.GetRegisteredTaskObject(BackgroundAcquisition.KeyFor(BuildEngine, Models), RegisteredTaskObjectLifetime.Build) is BackgroundAcquisition work))
            return true;
        var yielding = BuildEngine as IBuildEngine3;
        yielding?.Yield();
        try
        {
            foreach (var progress in models)
            {
                var done = progress!.For("Done");
                while (!_cancelled && !done.WaitOne(100)) work.Log.ReplayMessages(Log);
                if (_cancelled) work.Cancel();
            }
            // An EmbeddedResource model that failed ends the build here, with every error said so far; otherwise only the
            // messages: another model's errors are the final wait's, once the work is over (as without this join).
            if (_cancelled || models.Any(p => p!.Failed)) work.Log.Replay(Log);
            else work.Log.ReplayMessages(Log);
        }
        finally
        {
            yielding?.Reacquire();
        }
        return !Log.HasLoggedErrors;
    }
}
