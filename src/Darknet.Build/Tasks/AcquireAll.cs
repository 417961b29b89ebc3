using System;
using System.Collections.Generic;
using System.Threading;
using Darknet.Cache;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Build.Tasks
{
    /// <summary>The acquire step for a list of models, on whichever thread runs it, saying everything to an <see cref="AcquireLog"/>.</summary>
    internal static class AcquireAll
    {
        /// <summary>Acquires each model in turn, every failure an error with its code (the rest still go on, unless cancelled).</summary>
        public static void Run(MachineCache cache, AcquireSettings settings, List<ModelRequest> requests, AcquireLog log, CancellationToken token)
        {
            if (requests.Count == 0) return;
            var acquirer = new ModelAcquirer(cache, settings, token);
            foreach (var request in requests)
            {
                if (token.IsCancellationRequested) break;
                var name = request.Name;
                var project = request.DefiningProject;
                try
                {
                    acquirer.Acquire(request);
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
            }
        }
    }
}
