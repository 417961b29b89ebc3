using System;
using System.Globalization;

namespace Darknet.Weights.IO;

/// <summary>Sizes as the README gives them: decimal megabytes (10^6 bytes), one decimal ("248.0 MB" for 248,007,048 bytes).</summary>
internal static class Megabytes
{
    public static string Format(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    /// <summary>Whole megabytes, rounded up (what a disk must have free: "10 MB" for 9,453,568 bytes).</summary>
    public static string RoundedUp(long bytes) => ((long)Math.Ceiling(bytes / 1e6)).ToString("N0", CultureInfo.InvariantCulture) + " MB";

    /// <summary>"20.3 MB/s"; "-" when no time has passed.</summary>
    public static string Rate(long bytes, double seconds) =>
        seconds <= 0 ? "-" : (bytes / 1e6 / seconds).ToString("0.0", CultureInfo.InvariantCulture) + " MB/s";
}
