using System;
using System.Threading;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Darknet.Build.Tasks;

/// <summary>
/// Runs in a status project named for one model (obj/…/darknet-status/yolov3.npy.proj), in targets named for what
/// is happening (DarknetDownloading, DarknetConverting): MSBuild has no progress API for tasks, but its terminal
/// logger's live line names the running project and target, so it reads "yolov3.npy DarknetDownloading (12.3s)".
/// Waits until the model's <see cref="ModelProgress"/> passes <see cref="Until"/>, replaying the acquire work's
/// messages as they come; its warnings and errors are left for <see cref="WaitForDarknetModels"/> in the model's own
/// project. Nothing to wait for (another node, the work already gone) returns at once.
/// </summary>
public sealed partial class ShowDarknetModelProgress : Task, ICancelableTask
{
    private volatile bool _cancelled;

    /// <summary>The model's obj/ file (the key of its progress).</summary>
    [Required] public string Output { get; set; } = "";

    /// <summary>"Weights" or "Done".</summary>
    [Required] public string Until { get; set; } = "";

    public void Cancel() => _cancelled = true;

    public override bool Execute()
    {
        if (!(BuildEngine is IBuildEngine4 engine)) return true;
        if (!(engine.GetRegisteredTaskObject(ModelProgress.KeyFor(Output), RegisteredTaskObjectLifetime.Build) is ModelProgress progress)) return true;
        var yielding = BuildEngine as IBuildEngine3;
        yielding?.Yield();
        try
        {
            var handle = progress.For(Until);
            while (!_cancelled && !Wait(handle)) progress.Log.ReplayMessages(Log);
            progress.Log.ReplayMessages(Log);
        }
        finally
        {
            yielding?.Reacquire();
        }
        return true;
    }

    private static bool Wait(WaitHandle handle)
    {
        try
        {
            return handle.WaitOne(100);
        }
        catch (ObjectDisposedException)
        {
            return true;   // the build ended and disposed the work
        }
    }
}
