namespace Darknet.Cache;

/// <summary>A verified file of the machine cache: its full path, its hashes (as recorded when it was published), and whether this call published it.</summary>
public class CachedFile
{
    public CachedFile(string path, FileHashes hashes, bool published)
    {
        Path = path;
        Hashes = hashes;
        Published = published;
    }

    public string Path { get; }
    public FileHashes Hashes { get; }

    /// <summary>True when this call wrote (downloaded, converted) it; false for a cache hit, including one another process just published.</summary>
    public bool Published { get; }
}
