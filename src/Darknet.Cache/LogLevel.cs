namespace Darknet.Cache;

/// <summary>How loud a message is, chosen by the code that says it (the log only maps it to its own levels).</summary>
internal enum LogLevel
{
    /// <summary>Detailed verbosity: each failed attempt before a retry.</summary>
    Detail,

    /// <summary>Normal verbosity: a cache hit, a URL given up for the next one.</summary>
    Normal,

    /// <summary>What a normal build shows: downloads, conversions, an entry made again after it was damaged.</summary>
    High,
}
