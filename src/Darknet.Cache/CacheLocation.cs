using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Darknet.Cache;

/// <summary>
/// Where the machine cache lives: <c>CacheLocation.Resolve(string? overrideDirectory)</c>.
/// Order: the DARKNET_CACHE_DIR environment variable, else the override (the task passes $(DarknetCacheDir)),
/// else the platform default: Windows %LOCALAPPDATA%\Darknet.Build; macOS/Linux $XDG_CACHE_HOME/darknet-build,
/// else ~/.cache/darknet-build. Returns a full path.
/// </summary>
public static class CacheLocation
{
    public const string EnvironmentVariable = "DARKNET_CACHE_DIR";

    public static string Resolve(string? overrideDirectory = null) => Resolve(overrideDirectory, Environment.GetEnvironmentVariable, Path.GetFullPath);

    /// <summary>
    /// The same, with the build's own variables and its folder for relative paths (a task under MSBuild's multi-threaded
    /// mode shares the process's environment and current directory with other projects).
    /// </summary>
    internal static string Resolve(string? overrideDirectory, Func<string, string?> variable, Func<string, string> fullPath)
    {
        var fromEnvironment = variable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fullPath(fromEnvironment!.Trim());
        if (!string.IsNullOrWhiteSpace(overrideDirectory)) return fullPath(overrideDirectory!.Trim());
        return PlatformDefault(variable);
    }

    public static string PlatformDefault() => PlatformDefault(Environment.GetEnvironmentVariable);

    private static string PlatformDefault(Func<string, string?> variable)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (string.IsNullOrEmpty(local)) local = variable("LOCALAPPDATA") ?? "";
            return Path.Combine(local, "Darknet.Build");
        }
        var xdg = variable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "darknet-build");
        var home = variable("HOME");
        if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home!, ".cache", "darknet-build");
    }
}
