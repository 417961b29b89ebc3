namespace Darknet.Weights.IO;

/// <summary>What a path names, as far as <see cref="FileStatus"/> can tell.</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,
    /// <summary>A device, FIFO or socket: nothing a writer may rename over.</summary>
    Other,
    /// <summary>It exists, but this platform or call could not say what it is.</summary>
    Unknown,
}
