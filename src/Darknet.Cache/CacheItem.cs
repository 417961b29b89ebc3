namespace Darknet.Cache;

internal enum CacheItemKind
{
    Entry,
    Partial,
    Rejected,
}

/// <summary>A file of the cache that is not bookkeeping (<see cref="CacheLayout.Items"/>): an entry, a partial download or a rejected file.</summary>
internal sealed class CacheItem
{
    public CacheItem(string path, string area, CacheItemKind kind, string entryPath)
    {
        Path = path;
        Area = area;
        Kind = kind;
        EntryPath = entryPath;
    }

    public string Path { get; }
    public string Area { get; }
    public CacheItemKind Kind { get; }

    /// <summary>The entry whose lock guards this file: the file itself, or the entry of a partial or a rejected file.</summary>
    public string EntryPath { get; }

    /// <summary>The entry's key folder (sha256-…, sha1-…, url-…, a converted key).</summary>
    public string Key => System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(Path)!);

    /// <summary>The entry's file name (a weights file name, an output name, a cfg name).</summary>
    public string EntryName => System.IO.Path.GetFileName(EntryPath);
}
