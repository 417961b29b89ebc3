using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Darknet.Build.Tasks;

/// <summary>
/// One task invocation's environment variables and the folder its relative paths are relative to. Under MSBuild's
/// multi-threaded mode (-mt) they are the project's, from MSBuild's TaskEnvironment (several projects share the
/// process, its variables and its current directory); otherwise the process's, which MSBuild sets to the build's. The
/// variables are copied when the task starts, so work left running in the background reads what the build had.
/// </summary>
internal sealed class BuildEnvironment
{
    private readonly Dictionary<string, string> _variables;
    private readonly Func<string, string> _fullPath;

    private BuildEnvironment(Dictionary<string, string> variables, Func<string, string> fullPath)
    {
        _variables = variables;
        _fullPath = fullPath;
    }

    /// <summary>The process's variables and current directory.</summary>
    public static BuildEnvironment OfProcess()
    {
        var variables = NewDictionary();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            if (entry.Key is string name && entry.Value is string value) variables[name] = value;
        return new BuildEnvironment(variables, Path.GetFullPath);
    }

    /// <summary>Given variables, relative paths relative to <paramref name="fullPath"/>'s choice (tests, MSBuild's TaskEnvironment).</summary>
    public static BuildEnvironment Of(IEnumerable<KeyValuePair<string, string>> variables, Func<string, string> fullPath)
    {
        var copy = NewDictionary();
        foreach (var pair in variables) copy[pair.Key] = pair.Value;
        return new BuildEnvironment(copy, fullPath);
    }

    /// <summary>A variable's value, or null when it is not set.</summary>
    public string? Variable(string name) => _variables.TryGetValue(name, out var value) ? value : null;

    /// <summary>A path made absolute against the build's folder (the project's), as MSBuild would for the task.</summary>
    public string FullPath(string path) => _fullPath(path);

    // Windows' variable names ignore case; elsewhere HTTP_PROXY and http_proxy are two variables.
    private static Dictionary<string, string> NewDictionary() =>
        new Dictionary<string, string>(RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
}
