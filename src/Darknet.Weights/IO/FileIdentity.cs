using System;
using System.Globalization;

namespace Darknet.Weights.IO;

/// <summary>
/// Which file a path named and in which state: device, inode, size, and modification and status-change times to the
/// nanosecond (Linux statx; see <see cref="FileStatus.Identity"/>). Two equal identities of one path mean "the same
/// bytes", short of raw writes to the disk: every write through any name of the file (a hard link too) sets its
/// ctime, and ctime cannot be set from user space (utimensat sets atime/mtime only, and itself moves ctime to now).
/// A file damaged and given back its old mtime therefore still differs. This is the stat-cache argument of git's
/// index and ccache's manifests, with ctime added because mtime is user-settable.
/// </summary>
/// <remarks>
/// The kernel stamps ctime from a coarse clock (a few ms) on kernels before 6.13; from 6.13 (multigrain timestamps on
/// ext4, XFS, btrfs, tmpfs) a ctime that was read by statx is guaranteed to move on the next change. On an older
/// kernel a write landing within the same clock tick as the moment the identity was read could go unseen.
/// </remarks>
internal sealed class FileIdentity : IEquatable<FileIdentity>
{
    public FileIdentity(ulong device, ulong inode, long size, long modifiedSeconds, uint modifiedNanoseconds, long changedSeconds, uint changedNanoseconds)
    {
        Device = device;
        Inode = inode;
        Size = size;
        ModifiedSeconds = modifiedSeconds;
        ModifiedNanoseconds = modifiedNanoseconds;
        ChangedSeconds = changedSeconds;
        ChangedNanoseconds = changedNanoseconds;
    }

    public ulong Device { get; }
    public ulong Inode { get; }
    public long Size { get; }
    public long ModifiedSeconds { get; }
    public uint ModifiedNanoseconds { get; }
    public long ChangedSeconds { get; }
    public uint ChangedNanoseconds { get; }

    /// <summary>The identity of the regular file at <paramref name="path"/> (a symlink is not followed), or null where it cannot be read.</summary>
    public static FileIdentity? Of(string path) => FileStatus.Of(path, followLinks: false).Identity;

    /// <summary>"device:inode:size:mtime:ctime" with times as seconds.nanoseconds; <see cref="Parse"/> reads it back.</summary>
    public override string ToString() =>
        string.Join(":",
            Device.ToString(CultureInfo.InvariantCulture), Inode.ToString(CultureInfo.InvariantCulture), Size.ToString(CultureInfo.InvariantCulture),
            ModifiedSeconds.ToString(CultureInfo.InvariantCulture) + "." + ModifiedNanoseconds.ToString("D9", CultureInfo.InvariantCulture),
            ChangedSeconds.ToString(CultureInfo.InvariantCulture) + "." + ChangedNanoseconds.ToString("D9", CultureInfo.InvariantCulture));

    public static FileIdentity? Parse(string? text)
    {
        var parts = text?.Trim().Split(':');
        if (parts == null || parts.Length != 5) return null;
        if (!ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var device) ||
            !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var inode) ||
            !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size) ||
            !TryParseTime(parts[3], out var modified, out var modifiedNs) ||
            !TryParseTime(parts[4], out var changed, out var changedNs))
            return null;
        return new FileIdentity(device, inode, size, modified, modifiedNs, changed, changedNs);
    }

    private static bool TryParseTime(string text, out long seconds, out uint nanoseconds)
    {
        seconds = 0;
        nanoseconds = 0;
        var dot = text.IndexOf('.');
        return dot > 0 &&
               long.TryParse(text.Substring(0, dot), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seconds) &&
               uint.TryParse(text.Substring(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out nanoseconds) &&
               nanoseconds < 1_000_000_000;
    }

    public bool Equals(FileIdentity? other) =>
        other != null && Device == other.Device && Inode == other.Inode && Size == other.Size &&
        ModifiedSeconds == other.ModifiedSeconds && ModifiedNanoseconds == other.ModifiedNanoseconds &&
        ChangedSeconds == other.ChangedSeconds && ChangedNanoseconds == other.ChangedNanoseconds;

    public override bool Equals(object? obj) => Equals(obj as FileIdentity);

    public override int GetHashCode() => unchecked((int)(Inode * 31 + (ulong)ChangedNanoseconds));
}
