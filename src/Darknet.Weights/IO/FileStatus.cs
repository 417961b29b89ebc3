using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Darknet.Weights.IO;

/// <summary>What a path names (regular file, directory, link, device…) and which file it is (device + inode, or
/// volume + file id on Windows), so a writer can refuse to replace a device and the CLI can tell that two spellings
/// (relative, <c>..</c>, another case, a symlink, a hard link) name one file; on Linux also the
/// <see cref="FileIdentity"/> of a regular file (size and times to the nanosecond), which the machine cache records.</summary>
/// <remarks>
/// .NET has no API for either: <see cref="FileAttributes"/> shows no file type on Unix (a character device reads as
/// <c>Normal</c>) and no inode. Written by hand rather than with Mono.Unix/Tmds.LibC because this assembly loads
/// inside MSBuild (netstandard2.0), where a package with per-platform native libraries cannot follow it. The calls
/// use only fixed layouts: Linux <c>statx(2)</c> (the same 256-byte struct on every architecture, unlike
/// <c>struct stat</c>), macOS's 64-bit-inode <c>struct stat</c> (<c>lstat$INODE64</c> on x64, plain <c>lstat</c> on
/// arm64: one layout), Windows <c>BY_HANDLE_FILE_INFORMATION</c>. Anywhere else, or when the call fails (a seccomp
/// filter that blocks statx, say), the kind is <see cref="FileKind.Unknown"/> and callers fall back (see
/// <see cref="AtomicFile"/>).
/// </remarks>
internal readonly struct FileStatus
{
    private const int S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000, S_IFBLK = 0x6000,
        S_IFREG = 0x8000, S_IFLNK = 0xA000, S_IFSOCK = 0xC000;
    private const int ENOENT = 2, ENOTDIR = 20;

    private FileStatus(FileKind kind, string typeName, ulong device = 0, ulong inode = 0, bool hasIdentity = false, FileIdentity? identity = null)
    {
        Kind = kind;
        TypeName = typeName;
        Device = device;
        Inode = inode;
        HasIdentity = hasIdentity;
        Identity = identity;
    }

    public FileKind Kind { get; }

    /// <summary>For messages: "a regular file", "a character device", "a named pipe (FIFO)"…</summary>
    public string TypeName { get; }

    public ulong Device { get; }
    public ulong Inode { get; }
    public bool HasIdentity { get; }

    /// <summary>A regular file's device, inode, size, mtime and ctime (Linux only; null elsewhere or when statx did not return them).</summary>
    public FileIdentity? Identity { get; }

    public bool IsSameFile(FileStatus other) =>
        HasIdentity && other.HasIdentity && Device == other.Device && Inode == other.Inode;

    /// <summary>The status of <paramref name="path"/>; of a symlink itself unless <paramref name="followLinks"/>.</summary>
    public static FileStatus Of(string path, bool followLinks)
    {
        var full = Path.GetFullPath(path);
        try
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return OfWindows(full, followLinks);
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return OfLinux(full, followLinks);
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return OfMac(full, followLinks);
        }
        catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is IOException ||
                                  e is UnauthorizedAccessException)
        {
        }
        return Unknown(full);
    }

    private static FileStatus Unknown(string full) =>
        File.Exists(full) || Directory.Exists(full) ? new FileStatus(FileKind.Unknown, "a file of unknown type") : Missing;

    private static readonly FileStatus Missing = new FileStatus(FileKind.Missing, "nothing");

    private static FileStatus FromMode(int mode, ulong device, ulong inode)
    {
        switch (mode & S_IFMT)
        {
            case S_IFREG: return new FileStatus(FileKind.Regular, "a regular file", device, inode, true);
            case S_IFDIR: return new FileStatus(FileKind.Directory, "a directory", device, inode, true);
            case S_IFLNK: return new FileStatus(FileKind.SymbolicLink, "a symbolic link", device, inode, true);
            case S_IFCHR: return new FileStatus(FileKind.Other, "a character device", device, inode, true);
            case S_IFBLK: return new FileStatus(FileKind.Other, "a block device", device, inode, true);
            case S_IFIFO: return new FileStatus(FileKind.Other, "a named pipe (FIFO)", device, inode, true);
            case S_IFSOCK: return new FileStatus(FileKind.Other, "a socket", device, inode, true);
            default: return new FileStatus(FileKind.Other, "a special file", device, inode, true);
        }
    }

    private static byte[] NulTerminated(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        Array.Resize(ref bytes, bytes.Length + 1);
        return bytes;
    }

    // Linux: statx(AT_FDCWD, path, flags, mask, &buf). struct statx offsets (include/uapi/linux/stat.h): stx_mask u32 @0
    // (what was filled in), stx_mode u16 @28, stx_ino u64 @32, stx_size u64 @40, stx_ctime @96 and stx_mtime @112 (each
    // i64 seconds, u32 nanoseconds, 4 reserved), stx_dev_major u32 @136, stx_dev_minor u32 @140; 256 bytes in all.
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    private const uint STATX_TYPE = 0x1, STATX_MTIME = 0x40, STATX_CTIME = 0x80, STATX_INO = 0x100, STATX_SIZE = 0x200;
    private const uint IdentityMask = STATX_INO | STATX_SIZE | STATX_MTIME | STATX_CTIME;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int LinuxStatx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);

    private static FileStatus OfLinux(string full, bool followLinks)
    {
        var buffer = new byte[256];
        if (LinuxStatx(AT_FDCWD, NulTerminated(full), followLinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_TYPE | IdentityMask, buffer) != 0)
            return Failed(full, Marshal.GetLastWin32Error());
        int mode = BitConverter.ToUInt16(buffer, 28);
        ulong inode = BitConverter.ToUInt64(buffer, 32);
        ulong device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
        var status = FromMode(mode, device, inode);
        if (status.Kind != FileKind.Regular || (BitConverter.ToUInt32(buffer, 0) & IdentityMask) != IdentityMask) return status;
        var identity = new FileIdentity(device, inode, (long)BitConverter.ToUInt64(buffer, 40),
            BitConverter.ToInt64(buffer, 112), BitConverter.ToUInt32(buffer, 120),
            BitConverter.ToInt64(buffer, 96), BitConverter.ToUInt32(buffer, 104));
        return new FileStatus(status.Kind, status.TypeName, device, inode, true, identity);
    }

    // macOS (64-bit inodes, x64 and arm64 alike): st_dev i32 @0, st_mode u16 @4, st_ino u64 @8; 144 bytes in all.
    [DllImport("libc", EntryPoint = "lstat$INODE64", SetLastError = true)]
    private static extern int MacLstatX64(byte[] path, byte[] buffer);

    [DllImport("libc", EntryPoint = "stat$INODE64", SetLastError = true)]
    private static extern int MacStatX64(byte[] path, byte[] buffer);

    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int MacLstatArm64(byte[] path, byte[] buffer);

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int MacStatArm64(byte[] path, byte[] buffer);

    private static FileStatus OfMac(string full, bool followLinks)
    {
        var buffer = new byte[256];
        var path = NulTerminated(full);
        int result;
        switch (RuntimeInformation.ProcessArchitecture)
        {
            case Architecture.X64:
                result = followLinks ? MacStatX64(path, buffer) : MacLstatX64(path, buffer);
                break;
            case Architecture.Arm64:
                result = followLinks ? MacStatArm64(path, buffer) : MacLstatArm64(path, buffer);
                break;
            default:
                return Unknown(full);
        }
        if (result != 0) return Failed(full, Marshal.GetLastWin32Error());
        return FromMode(BitConverter.ToUInt16(buffer, 4), BitConverter.ToUInt32(buffer, 0), BitConverter.ToUInt64(buffer, 8));
    }

    private static FileStatus Failed(string full, int errno) =>
        errno == ENOENT || errno == ENOTDIR ? Missing : Unknown(full);

    // Windows: attributes give the kind (no devices live in a folder; a link is a reparse point), the handle gives
    // volume serial (@28) and file index (high @44, low @48) of BY_HANDLE_FILE_INFORMATION (52 bytes).
    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool GetFileInformationByHandle(SafeFileHandle handle, byte[] information);

    private static FileStatus OfWindows(string full, bool followLinks)
    {
        FileAttributes attributes;
        try
        {
            attributes = File.GetAttributes(full);
        }
        catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
        {
            return Missing;
        }
        if ((attributes & FileAttributes.ReparsePoint) != 0 && !followLinks) return new FileStatus(FileKind.SymbolicLink, "a symbolic link or junction");
        if ((attributes & FileAttributes.Directory) != 0) return new FileStatus(FileKind.Directory, "a directory");
        if ((attributes & FileAttributes.Device) != 0) return new FileStatus(FileKind.Other, "a device");
        try
        {
            using (var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                var info = new byte[52];
                if (GetFileInformationByHandle(stream.SafeFileHandle, info))
                {
                    ulong index = ((ulong)BitConverter.ToUInt32(info, 44) << 32) | BitConverter.ToUInt32(info, 48);
                    return new FileStatus(FileKind.Regular, "a regular file", BitConverter.ToUInt32(info, 28), index, true);
                }
            }
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
        }
        return new FileStatus(FileKind.Regular, "a regular file");
    }
}
