using System;
using System.Threading;
using Darknet.Build.Cache;
using Darknet.Build.Download;
using Darknet.Weights;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Darknet.Build.Tasks
{
    /// <summary>
    /// Puts each resolved model's file in obj/: machine cache (download and verify on a miss) -> convert (cached by
    /// content) -> copy when the bytes differ. Every failure is an error with its DKN code; Ctrl+C cancels promptly.
    /// </summary>
    public sealed class AcquireDarknetModels : Task, ICancelableTask
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();

        /// <summary>The items of ResolveDarknetModels (item spec = the obj file to produce).</summary>
        [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();
        /// <summary>$(DarknetCacheDir); DARKNET_CACHE_DIR wins over it, the platform default applies when both are empty.</summary>
        public string? CacheDirectory { get; set; }
        public string? Mirror { get; set; }
        public bool Offline { get; set; }
        public bool AllowHttp { get; set; }
        public int StallTimeoutSeconds { get; set; } = 60;

        public void Cancel() => _cancellation.Cancel();

        public override bool Execute()
        {
            var token = _cancellation.Token;
            var settings = new AcquireSettings
            {
                Mirror = string.IsNullOrWhiteSpace(Mirror) ? null : Mirror!.Trim(),
                Offline = Offline,
                AllowHttp = AllowHttp,
                StallTimeout = TimeSpan.FromSeconds(StallTimeoutSeconds > 0 ? StallTimeoutSeconds : 60),
                // Every line goes through SafeUrl.RedactText: no user:password@ in a log, at any verbosity.
                Log = message => Log.LogMessage(MessageImportance.High, SafeUrl.RedactText(message)),
                Detail = message => Log.LogMessage(MessageImportance.Low, SafeUrl.RedactText(message)),
            };
            MachineCache cache;
            try
            {
                cache = MachineCache.Create(CacheDirectory);
            }
            catch (Exception e)
            {
                Log.LogError(null, BuildErrorCodes.CacheUnusable, null, null, 0, 0, 0, 0, "Cannot use the Darknet cache directory: " + SafeUrl.RedactText(e.Message));
                return false;
            }
            Log.LogMessage(MessageImportance.Low, "Darknet cache: " + cache.Root);

            var acquirer = new ModelAcquirer(cache, settings, token);
            foreach (var item in Models)
            {
                if (token.IsCancellationRequested) break;
                var name = item.GetMetadata("ModelName");
                var project = item.GetMetadata("DefiningProject");
                try
                {
                    acquirer.Acquire(ModelRequest.FromResolvedItem(item));
                }
                catch (DarknetException e)
                {
                    LogError(project, e.Code, $"DarknetModel '{name}': {e.Message}");
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    LogError(project, BuildErrorCodes.TaskCancelled, $"DarknetModel '{name}': cancelled.");
                }
                catch (Exception e)
                {
                    LogError(project, BuildErrorCodes.Unexpected, $"DarknetModel '{name}': unexpected failure: {e}");
                }
            }
            return !Log.HasLoggedErrors;
        }

        private void LogError(string project, string code, string message) =>
            Log.LogError(null, code, null, project, 0, 0, 0, 0, SafeUrl.RedactText(message));
    }
}
