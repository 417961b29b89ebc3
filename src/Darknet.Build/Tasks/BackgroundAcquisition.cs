using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using Darknet.Cache;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Darknet.Build.Tasks;

/// <summary>
/// Acquire work for the items the compiler does not read (Content, None), running on a thread of its own while the
/// build goes on: handed from <see cref="AcquireDarknetModels"/> to <see cref="WaitForDarknetModels"/> as an MSBuild
/// registered task object. When the build ends without reaching the wait (a compile error, Ctrl+C), MSBuild disposes
/// it: the work is cancelled and waited for, so no thread outlives the build in a reused node, and the cache's own
/// cancellation paths remove its temp files.
/// </summary>
internal sealed class BackgroundAcquisition : IDisposable
{
    /// <summary>How long Dispose waits for cancelled work; cancellation is cooperative and takes well under a second.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
    private readonly System.Threading.Tasks.Task _work;

    public BackgroundAcquisition(string what, AcquireLog log, Action<CancellationToken> work)
    {
        What = what;
        Log = log;
        var token = _cancellation.Token;
        var culture = CultureInfo.CurrentCulture;
        var uiCulture = CultureInfo.CurrentUICulture;
        _work = System.Threading.Tasks.Task.Factory.StartNew(() =>
        {
            Thread.CurrentThread.CurrentCulture = culture;
            Thread.CurrentThread.CurrentUICulture = uiCulture;
            try
            {
                work(token);
            }
            catch (Exception e)
            {
                log.Error(TaskErrorCodes.Unexpected, null, "Darknet: unexpected failure of the background acquire: " + e);
            }
        }, CancellationToken.None, System.Threading.Tasks.TaskCreationOptions.LongRunning, System.Threading.Tasks.TaskScheduler.Default);
    }

    /// <summary>The files it makes, for the log.</summary>
    public string What { get; }

    /// <summary>What the work says, for the wait task to replay.</summary>
    public AcquireLog Log { get; }

    /// <summary>
    /// The registered object's key: one per project instance (its global properties) and resolved items (their obj/
    /// paths, which name the project folder, configuration and target framework).
    /// </summary>
    public static string KeyFor(IBuildEngine engine, ITaskItem[] models)
    {
        var globals = engine is IBuildEngine6 engine6
            ? string.Join(";", engine6.GetGlobalProperties().OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => p.Key + "=" + p.Value))
            : "";
        return typeof(BackgroundAcquisition).FullName + "|" + globals + "|" + string.Join("|", models.Select(m => m.ItemSpec));
    }

    /// <summary>The work has returned (finished, failed or cancelled).</summary>
    public bool HasStopped => _work.IsCompleted;

    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits for the work, logging what it says as it comes (a download's progress lines stay live).</summary>
    public void WaitAndReplay(TaskLoggingHelper log)
    {
        while (!_work.Wait(100)) Log.Replay(log);
        Log.Replay(log);
    }

    public void Dispose()
    {
        Cancel();
        _work.Wait(StopTimeout);
    }
}
