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

    public static string Resolve(string? overrideDirectory = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment!.Trim());
        if (!string.IsNullOrWhiteSpace(overrideDirectory)) return Path.GetFullPath(overrideDirectory!.Trim());
        return PlatformDefault();
    }

    public static string PlatformDefault()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (string.IsNullOrEmpty(local)) local = Environment.GetEnvironmentVariable("LOCALAPPDATA") ?? "";
            return Path.Combine(local, "Darknet.Build");
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "darknet-build");
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home!, ".cache", "darknet-build");
    }
}
