using System;

namespace Darknet.Weights.Models;

/// <summary>
/// "Did you mean …?" for an unknown model name: <c>NearestModelName.Suggest("yolov3-tiniy")</c> = "yolov3-tiny".
/// The catalog name or alias at the smallest edit distance (Damerau: a swap of two letters is one edit,
/// case-insensitive), when it is close enough to be a typo: at most 1 edit for short names, 2 from 5 letters, 3 from 10.
/// </summary>
internal static class NearestModelName
{
    public static string? Suggest(string name)
    {
        var wanted = (name ?? "").Trim().ToLowerInvariant();
        if (wanted.Length == 0) return null;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var model in ModelCatalog.All)
        {
            Consider(model.Name);
            foreach (var alias in model.Aliases) Consider(alias);
        }
        return bestDistance <= Allowed(wanted.Length) ? best : null;

        void Consider(string candidate)
        {
            var distance = Distance(wanted, candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
    }

    private static int Allowed(int length) => length < 5 ? 1 : length < 10 ? 2 : 3;

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                d[i, j] = value;
            }
        }
        return d[a.Length, b.Length];
    }
}
