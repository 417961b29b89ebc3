using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Darknet.Build.Tasks;

/// <summary>
/// Checks each &lt;DarknetModel&gt; item against the catalog and fills in its defaults; never touches the network,
/// so it also runs in design-time builds. Each resolved item is the file the project will get under obj/. An obj/ file
/// that is a hard link to the machine cache is checked here on every build (two statx calls): one that is no longer the
/// entry the cache verified is removed, so the acquire step (whose output it is) runs and places it again.
/// </summary>
public sealed partial class ResolveDarknetModels : Task
{
    [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string IntermediateDirectory { get; set; } = "";
    [Required] public string ProjectDirectory { get; set; } = "";

    [Output] public ITaskItem[] ResolvedModels { get; private set; } = Array.Empty<ITaskItem>();
    /// <summary>Local WeightsFile, Config and Names files: inputs of the acquire step and of Visual Studio's up-to-date check.</summary>
    [Output] public ITaskItem[] LocalInputs { get; private set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var resolved = new List<ITaskItem>();
        var localInputs = new List<ITaskItem>();
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var version = PackageVersion();
        foreach (var item in Models)
        {
            try
            {
                var request = ModelRequest.FromDarknetModel(item, IntermediateDirectory, ProjectDirectory);
                if (owners.TryGetValue(request.OutputPath, out var owner))
                    throw new DarknetException(TaskErrorCodes.DuplicateOutput,
                        $"DarknetModel '{request.Name}' and '{owner}' would both write {request.OutputFileName}; give one another OutputName.");
                owners[request.OutputPath] = request.Name;
                resolved.Add(request.ToResolvedItem(version));
                var dropped = ObjFile.DropIfChanged(request.OutputPath);
                if (dropped != null)
                    Log.LogMessage(MessageImportance.High, "Darknet: " + request.OutputPath + " is no longer the verified cache entry (" + dropped + "); it was removed and is placed again");
                if (request.WeightsFile != null) localInputs.Add(new TaskItem(request.WeightsFile));
                if (request.Config != null && !request.ConfigIsUrl) localInputs.Add(new TaskItem(request.Config));
                if (request.Names != null) localInputs.Add(new TaskItem(request.Names));
            }
            catch (DarknetException e)
            {
                Log.LogError(null, e.Code, null, item.GetMetadata("DefiningProjectFullPath"), 0, 0, 0, 0, SafeUrl.RedactText(e.Message));
            }
        }
        ResolvedModels = resolved.ToArray();
        LocalInputs = localInputs.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>The package's version (with both assemblies' versions): a new package re-acquires every model.</summary>
    internal static string PackageVersion() =>
        InformationalVersion(typeof(ResolveDarknetModels).Assembly) + "/" + InformationalVersion(typeof(DarknetException).Assembly);

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "";
}
