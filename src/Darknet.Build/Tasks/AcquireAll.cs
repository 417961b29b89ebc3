using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using Darknet.Cache;
using Darknet.Weights;
using Darknet.Weights.IO;
using Microsoft.Build.Framework;

namespace Darknet.Build.Tasks;

/// <summary>The acquire step for a list of models, on whichever thread runs it, saying everything to an <see cref="AcquireLog"/>.</summary>
internal static class AcquireAll
{
    /// <summary>
    /// The one line per model at high importance (the classic logger at any verbosity but quiet, the terminal logger
    /// with -v:d): "Darknet: yolov3.npy ready (248.0 MB) in 9.8 s (weights 9.3 s, then 0.5 s) at /…/obj/…/yolov3.npy".
    /// </summary>
    internal static string Summary(ModelRequest request, TimeSpan total, TimeSpan? weights)
    {
        var size = File.Exists(request.OutputPath) ? " (" + Megabytes.Format(new FileInfo(request.OutputPath).Length) + ")" : "";
        var split = weights is { } w ? " (weights " + Seconds(w) + ", then " + Seconds(total - w) + ")" : "";
        return "Darknet: " + request.OutputFileName + " ready" + size + " in " + Seconds(total) + split + " at " + request.OutputPath;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    /// <summary>Acquires each model in turn, every failure an error with its code (the rest still go on, unless cancelled).</summary>
    /// <paramref name="progress"/>: each model's progress to report, where someone shows it (null: none).
    public static void Run(MachineCache cache, AcquireSettings settings, List<ModelRequest> requests, AcquireLog log, CancellationToken token,
                           Func<ModelRequest, ModelProgress?>? progress = null)
    {
        if (requests.Count == 0) return;
        var acquirer = new ModelAcquirer(cache, settings, token);
        foreach (var request in requests)
        {
            if (token.IsCancellationRequested) break;
            var name = request.Name;
            var project = request.DefiningProject;
            var shown = progress?.Invoke(request);
            var watch = Stopwatch.StartNew();
            TimeSpan? weightsReady = null;
            acquirer.WeightsReady = () =>
            {
                weightsReady ??= watch.Elapsed;
                shown?.WeightsReady();
            };
            var acquired = false;
            try
            {
                acquirer.Acquire(request);
                acquired = true;
                log.Message(MessageImportance.High, Summary(request, watch.Elapsed, weightsReady));
            }
            catch (DarknetException e)
            {
                log.Error(e.Code, project, $"DarknetModel '{name}': {e.Message}");
            }
            catch (Exception e) when (WriteFailure.IsDiskFull(e))
            {
                var full = WriteFailure.UnderBuild(e, null);
                log.Error(full.Code, project, $"DarknetModel '{name}': {full.Message}");
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                log.Error(TaskErrorCodes.TaskCancelled, project, $"DarknetModel '{name}': cancelled.");
            }
            catch (Exception e)
            {
                log.Error(TaskErrorCodes.Unexpected, project, $"DarknetModel '{name}': unexpected failure: {e}");
            }
            finally
            {
                shown?.Done(acquired);
            }
        }
        // Models never reached (cancelled) are over too, not acquired: nobody waits for them.
        if (progress != null)
            foreach (var request in requests) progress(request)?.Done(false);
    }
}
