using System;
using System.Threading;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.IO;
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
        /// <summary>$(DarknetMirror): an http(s) base URL, or empty.</summary>
        public string? Mirror { get; set; }
        /// <summary>$(DarknetOffline): true or false (also yes/no, on/off); empty is false.</summary>
        public string? Offline { get; set; }
        /// <summary>$(DarknetAllowHttp): true or false; empty is false.</summary>
        public string? AllowHttp { get; set; }
        /// <summary>$(DarknetStallTimeout): whole seconds, 1 to 3600; empty is 60.</summary>
        public string? StallTimeoutSeconds { get; set; }

        /// <summary>The range of $(DarknetStallTimeout): a second to an hour.</summary>
        internal const int MaxStallTimeoutSeconds = 3600;

        public void Cancel() => _cancellation.Cancel();

        public override bool Execute()
        {
            var token = _cancellation.Token;
            AcquireSettings settings;
            try
            {
                settings = new AcquireSettings
                {
                    Mirror = ParseMirror(Mirror),
                    Offline = ParseBool("DarknetOffline", Offline),
                    AllowHttp = ParseBool("DarknetAllowHttp", AllowHttp),
                    StallTimeout = TimeSpan.FromSeconds(ParseStallTimeout(StallTimeoutSeconds)),
                    // Every line goes through SafeUrl.RedactText: no user:password@ in a log, at any verbosity.
                    Log = message => Log.LogMessage(MessageImportance.High, SafeUrl.RedactText(message)),
                    Normal = message => Log.LogMessage(MessageImportance.Normal, SafeUrl.RedactText(message)),
                    Detail = message => Log.LogMessage(MessageImportance.Low, SafeUrl.RedactText(message)),
                };
            }
            catch (DarknetException e)
            {
                Log.LogError(null, e.Code, null, null, 0, 0, 0, 0, e.Message);
                return false;
            }
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
            // Pointing at the project that declared the items, as the errors do (not at our .targets).
            var declaringProject = Models.Length > 0 ? Models[0].GetMetadata("DefiningProject") : null;
            cache.Rejected = message => Log.LogWarning(null, BuildErrorCodes.RejectedSeed, null, declaringProject, 0, 0, 0, 0, SafeUrl.RedactText(message));
            Log.LogMessage(MessageImportance.Low, "Darknet cache: " + cache.Root);
            var litter = cache.DeleteLitter();
            if (litter > 0) Log.LogMessage(MessageImportance.Low, "Darknet cache: removed " + litter + " files left by killed builds or abandoned downloads");

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
                catch (Exception e) when (WriteFailure.IsDiskFull(e))
                {
                    LogError(project, BuildErrorCodes.DiskFull, $"DarknetModel '{name}': no space left on the device: {e.Message}");
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

        internal static string? ParseMirror(string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            var mirror = value!.Trim();
            if (!ModelRequest.IsUrl(mirror))
                throw InvalidProperty("DarknetMirror", SafeUrl.Redact(mirror), "an http:// or https:// base URL, such as https://models.example.com/darknet/");
            return mirror;
        }

        internal static bool ParseBool(string property, string? value)
        {
            switch ((value ?? "").Trim().ToLowerInvariant())
            {
                case "":
                case "false":
                case "no":
                case "off":
                    return false;
                case "true":
                case "yes":
                case "on":
                    return true;
                default:
                    throw InvalidProperty(property, value!, "true or false");
            }
        }

        internal static int ParseStallTimeout(string? value)
        {
            var text = (value ?? "").Trim();
            if (text.Length == 0) return 60;
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) &&
                seconds >= 1 && seconds <= MaxStallTimeoutSeconds)
                return seconds;
            throw InvalidProperty("DarknetStallTimeout", text, "a whole number of seconds from 1 to " + MaxStallTimeoutSeconds +
                                                               " (how long a download may receive nothing before it is retried)");
        }

        private static DarknetException InvalidProperty(string property, string value, string expected) =>
            new DarknetException(BuildErrorCodes.InvalidMetadata, $"{property} '{value}' is not valid: expected {expected}.");
    }
}
