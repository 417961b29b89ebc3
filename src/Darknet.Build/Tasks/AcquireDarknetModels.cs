using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.IO;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Darknet.Build.Tasks;

/// <summary>
/// Puts each resolved model's file in obj/: machine cache (download and verify on a miss) -> convert (cached by
/// content) -> copy when the bytes differ. Every failure is an error with its DKN code; Ctrl+C cancels promptly.
/// Items the compiler does not read (Content, None) are acquired on a background thread while the build goes on
/// (<see cref="BackgroundAcquisition"/>), joined by <see cref="WaitForDarknetModels"/>; EmbeddedResource items, and
/// every item with $(DarknetAcquireInBackground) false or without IBuildEngine4, are acquired here.
/// </summary>
public sealed partial class AcquireDarknetModels : Task, ICancelableTask
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
    /// <summary>$(DarknetAcquireInBackground): true or false; empty is false (the props make it true).</summary>
    public string? InBackground { get; set; }

    /// <summary>The range of $(DarknetStallTimeout): a second to an hour.</summary>
    internal const int MaxStallTimeoutSeconds = 3600;

    public void Cancel() => _cancellation.Cancel();

    public override bool Execute()
    {
        var token = _cancellation.Token;
        string? mirror;
        bool offline, allowHttp, inBackground;
        TimeSpan stallTimeout;
        try
        {
            mirror = ParseMirror(Mirror);
            offline = ParseBool("DarknetOffline", Offline);
            allowHttp = ParseBool("DarknetAllowHttp", AllowHttp);
            stallTimeout = TimeSpan.FromSeconds(ParseStallTimeout(StallTimeoutSeconds));
            inBackground = ParseBool("DarknetAcquireInBackground", InBackground);
        }
        catch (DarknetException e)
        {
            Log.LogError(null, e.Code, null, null, 0, 0, 0, 0, e.Message);
            return false;
        }
        // Pointing at the project that declared the items, as the errors do (not at our .targets).
        var declaringProject = Models.Length > 0 ? Models[0].GetMetadata("DefiningProject") : null;
        var environment = CurrentEnvironment();
        AcquireSettings SettingsFor(AcquireLog log) => new AcquireSettings(new BuildLog(log, declaringProject), environment)
        {
            Mirror = mirror,
            Offline = offline,
            AllowHttp = allowHttp,
            StallTimeout = stallTimeout,
        };
        MachineCache cache;
        try
        {
            cache = new MachineCache(CacheLocation.Resolve(CacheDirectory, environment.Variable, environment.FullPath));
        }
        catch (Exception e)
        {
            Log.LogError(null, ErrorCodes.CacheUnusable, null, null, 0, 0, 0, 0, "Cannot use the Darknet cache directory: " + SafeUrl.RedactText(e.Message));
            return false;
        }
        Log.LogMessage(MessageImportance.Low, "Darknet cache: " + cache.Root);
        // Which MSBuild process ran this build's acquire: what tells a reused node (or the MSBuild server) apart in a log.
        Log.LogMessage(MessageImportance.Low, "Darknet: acquire step in process " + CurrentProcessId());
        var litter = cache.DeleteLitter();
        if (litter > 0) Log.LogMessage(MessageImportance.Low, "Darknet cache: removed " + litter + " files left by killed builds or abandoned downloads");

        var live = AcquireLog.To(Log);
        var now = new List<ModelRequest>();
        var later = new List<ModelRequest>();
        var engine = BuildEngine as IBuildEngine4;
        var key = engine != null && inBackground ? BackgroundAcquisition.KeyFor(BuildEngine, Models) : null;
        // Another instance's work under the same key (two projects sharing an obj/ folder): this one stays synchronous.
        if (key != null && engine!.GetRegisteredTaskObject(key, RegisteredTaskObjectLifetime.Build) != null) key = null;
        foreach (var item in Models)
        {
            try
            {
                var request = ModelRequest.FromResolvedItem(item);
                // csc embeds an EmbeddedResource: it must be in obj/ before CoreCompile.
                (key != null && request.As != "EmbeddedResource" ? later : now).Add(request);
            }
            catch (DarknetException e)
            {
                live.Error(e.Code, item.GetMetadata("DefiningProject"), $"DarknetModel '{item.GetMetadata("ModelName")}': {e.Message}");
            }
        }

        if (key == null || Log.HasLoggedErrors)
        {
            AcquireAll.Run(cache, SettingsFor(live), now, live, token);
            return !Log.HasLoggedErrors;
        }

        // One work for every item, EmbeddedResource items first (the targets join those before CoreCompile, the rest
        // before the copy to bin/). Each item's progress is registered for the status project named for it. The wait
        // tasks replay what the work says: a task must not log once it has returned.
        var all = now.Concat(later).ToList();
        var what = string.Join(", ", all.Select(r => r.OutputFileName));
        var buffered = AcquireLog.Buffered();
        var settings = SettingsFor(buffered);
        _ = settings.Credentials;   // the .netrc path is decided here, with the rest of the build's environment
        var progress = new Dictionary<string, ModelProgress>(StringComparer.Ordinal);
        foreach (var request in all)
        {
            var shown = new ModelProgress(buffered);
            progress[request.OutputPath] = shown;
            engine!.RegisterTaskObject(ModelProgress.KeyFor(request.OutputPath), shown, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
        }
        var work = new BackgroundAcquisition(what, buffered,
            workToken => AcquireAll.Run(cache, settings, all, buffered, workToken, r => progress[r.OutputPath]));
        engine!.RegisterTaskObject(key, work, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
        Pending = Models.Where(m => progress.ContainsKey(m.ItemSpec)).ToArray();
        Log.LogMessage(MessageImportance.Low, "Darknet: acquiring " + what + " in the background; the build goes on and waits for it before copying to the output");
        return true;
    }

    /// <summary>The items being acquired in the background (for their status projects); empty when all were acquired here.</summary>
    [Output] public ITaskItem[] Pending { get; private set; } = Array.Empty<ITaskItem>();

    private static string CurrentProcessId()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

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
        new DarknetException(TaskErrorCodes.InvalidMetadata, $"{property} '{value}' is not valid: expected {expected}.");
}
