namespace Darknet.Cache;

/// <summary>A verified weights file in the machine cache: its full path, hashes, and whether this call downloaded it.</summary>
public sealed class CachedWeights
{
    public CachedWeights(string path, FileHashes hashes, bool downloaded)
    {
        Path = path;
        Hashes = hashes;
        Downloaded = downloaded;
    }

    public string Path { get; }

    /// <summary>The hashes recorded when the file was downloaded (or first verified), which it still has.</summary>
    public FileHashes Hashes { get; }

    /// <summary>True when this call fetched it; false for a cache hit (including one another process just finished).</summary>
    public bool Downloaded { get; }
}
