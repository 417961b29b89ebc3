using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Darknet.Weights.IO;

/// <summary>
/// link(2): a second name for an existing file, on Linux only (the one platform where <see cref="FileIdentity"/> can
/// tell afterwards whether the file was written through either name). .NET has no API for it (netstandard2.0).
/// </summary>
internal static class HardLink
{
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int LinuxLink(byte[] existing, byte[] newPath);

    /// <summary>
    /// Creates <paramref name="newPath"/> as another name of <paramref name="existing"/>; false where that is not possible
    /// (not Linux, another volume, a file system without hard links, fs.protected_hardlinks and another owner's file...).
    /// </summary>
    public static bool TryCreate(string existing, string newPath)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return false;
        try
        {
            return LinuxLink(NulTerminated(Path.GetFullPath(existing)), NulTerminated(Path.GetFullPath(newPath))) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static byte[] NulTerminated(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path);
        Array.Resize(ref bytes, bytes.Length + 1);
        return bytes;
    }
}
