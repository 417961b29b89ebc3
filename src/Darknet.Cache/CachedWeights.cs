namespace Darknet.Cache;

/// <summary>A verified weights file of the machine cache: a <see cref="CachedFile"/> whose publication was its download.</summary>
public sealed class CachedWeights : CachedFile
{
    internal CachedWeights(CachedFile file) : base(file.Path, file.Hashes, file.Published)
    {
    }

    /// <summary>True when this call fetched it; false for a cache hit (including one another process just finished).</summary>
    public bool Downloaded => Published;
}
