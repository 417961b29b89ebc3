using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Darknet.Weights.Models;

namespace Darknet.Build.Tasks;

/// <summary>
/// "did you mean …?" tails for messages: the nearest of a few allowed values (<c>Among("Embedded", ...)</c> =
/// ": did you mean 'EmbeddedResource'?"), or the nearest existing file next to a missing path.
/// </summary>
internal static class DidYouMean
{
    /// <summary>"" when nothing is close enough to be a typo; a prefix (Embedded for EmbeddedResource) counts as close.</summary>
    public static string Among(string value, IEnumerable<string> allowed)
    {
        var wanted = (value ?? "").Trim();
        if (wanted.Length == 0) return "";
        var nearest = Nearest(wanted, allowed);
        return nearest == null ? "" : $": did you mean '{nearest}'?";
    }

    /// <summary>" (did you mean 'DIR/near.cfg'?)" for the nearest file in the missing file's folder, or "".</summary>
    public static string File(string? path)
    {
        if (path == null) return "";
        try
        {
            var folder = Path.GetDirectoryName(path);
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) return "";
            var names = Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>().ToList();
            var nearest = Nearest(Path.GetFileName(path), names);
            return nearest == null ? "" : $" (did you mean '{Path.Combine(folder, nearest)}'?)";
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException)
        {
            return "";
        }
    }

    private static string? Nearest(string wanted, IEnumerable<string> candidates)
    {
        var lower = wanted.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var other = candidate.ToLowerInvariant();
            var distance = other.StartsWith(lower, StringComparison.Ordinal) && lower.Length >= 3 ? 1 : NearestModelName.Distance(lower, other);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        var allowed = lower.Length < 5 ? 1 : lower.Length < 10 ? 2 : 3;
        return bestDistance <= allowed ? best : null;
    }
}
