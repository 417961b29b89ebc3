using Darknet.Cache;
using Darknet.Build.Tasks;
using Darknet.Build.Tests.EndToEnd;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Testing;
using Darknet.Weights.IO;
using Xunit;

namespace Darknet.Build.Tests.Tasks;

/// <summary>
/// The obj/ file: a hard link to a cache entry that the cache vouches for by identity (Linux), checked on every build;
/// else a copy hashed while copying, checked against the cache's record, never a damaged file. The copy tests use a
/// file without a sidecar, which the cache never links.
/// </summary>
public sealed class ObjFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly byte[] _content = SeededBytes.Create(3 * 1024 * 1024 + 3, seed: 41);
    private readonly MachineCache _cache;
    private int _conversions;

    public ObjFileTests() => _cache = new MachineCache(_temp.Combine("machine-cache"));

    public void Dispose() => _temp.Dispose();

    /// <summary>A converted entry published by the cache, as the acquire step gets it (counts how often it is written).</summary>
    private CachedFile Converted() =>
        _cache.GetConverted("key", "net.npy", stream =>
        {
            _conversions++;
            stream.Write(_content, 0, _content.Length);
        });

    private static bool SameFile(string a, string b) =>
        FileStatus.Of(a, followLinks: false).IsSameFile(FileStatus.Of(b, followLinks: false));

    private static void SkipUnlessLinux() =>
        Skip.IfNot(OperatingSystem.IsLinux() && FileIdentity.Of(typeof(ObjFileTests).Assembly.Location) != null,
            "obj/ files are hard links only where the cache can read file identities (Linux statx)");

    /// <summary>
    /// Damage through an obj/ link that gets past the entry's read-only mode: for anyone but root a plain write fails
    /// (asserted), so it is made writable first, written in place with its old mtime put back, and made read-only again.
    /// </summary>
    internal static void ForceDamageThroughLink(string path, int fromEnd, byte mask)
    {
        if (Environment.UserName != "root")
            Assert.Throws<UnauthorizedAccessException>(() => new FileStream(path, FileMode.Open, FileAccess.Write).Dispose());
        File.SetAttributes(path, File.GetAttributes(path) & ~FileAttributes.ReadOnly);
        CacheTrustTests.DamageKeepingTimestamp(path, fromEnd, mask);
        File.SetAttributes(path, File.GetAttributes(path) | FileAttributes.ReadOnly);
    }

    private CachedFile Cached(byte[] bytes)
    {
        var path = _temp.Combine("cache", "net.npy");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return new CachedFile(path, FileHashes.Compute(path), published: false);
    }

    [Fact]
    public void A_good_entry_is_copied_and_an_identical_copy_is_only_touched()
    {
        var source = Cached(_content);
        var destination = _temp.Combine("obj", "darknet", "net.npy");

        Assert.True(ObjFile.Place(_cache, source, destination));
        Assert.Equal(_content, File.ReadAllBytes(destination));

        var old = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(destination, old);
        Assert.True(ObjFile.Place(_cache, source, destination));
        Assert.True(File.GetLastWriteTimeUtc(destination) > old);
    }

    /// <summary>Before: a cached .npy damaged with its timestamp kept was copied as it was.</summary>
    [Fact]
    public void A_source_that_differs_from_its_record_is_not_placed()
    {
        var source = Cached(_content);
        var time = File.GetLastWriteTimeUtc(source.Path);
        var damaged = (byte[])_content.Clone();
        damaged[1_000_000] ^= 0x40;
        File.WriteAllBytes(source.Path, damaged);
        File.SetLastWriteTimeUtc(source.Path, time);
        var destination = _temp.Combine("obj", "darknet", "net.npy");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.WriteAllText(destination, "previous build's output");

        Assert.False(ObjFile.Place(_cache, source, destination));

        Assert.Equal("previous build's output", File.ReadAllText(destination));
        Assert.Equal(new[] { "net.npy" }, Directory.GetFiles(Path.GetDirectoryName(destination)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Temps_of_dead_builds_are_removed_before_placing_and_a_live_ones_stay()
    {
        var source = Cached(_content);
        var directory = _temp.Combine("obj", "darknet");
        Directory.CreateDirectory(directory);
        var dead = Path.Combine(directory, ".net.npy.999999-0badc0de.dkn-tmp");
        var live = Path.Combine(directory, ".other.npy." + Environment.ProcessId + "-12345678.dkn-tmp");
        File.WriteAllBytes(dead, new byte[100]);
        File.WriteAllBytes(live, new byte[100]);

        Assert.True(ObjFile.Place(_cache, source, Path.Combine(directory, "net.npy")));

        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
    }

    /// <summary>The obj/ file is a copy (or a copy-on-write clone), never a hard link: changing it leaves the cache entry as it was.</summary>
    [Fact]
    public void Writing_to_the_placed_file_leaves_the_cache_entry_alone()
    {
        var source = Cached(_content);
        var destination = _temp.Combine("obj", "darknet", "net.npy");
        Assert.True(ObjFile.Place(_cache, source, destination));

        using (var stream = new FileStream(destination, FileMode.Open, FileAccess.Write))
            stream.Write(new byte[] { 1, 2, 3 }, 0, 3);

        Assert.Equal(_content, File.ReadAllBytes(source.Path));
        Assert.Equal(source.Hashes.Sha256, FileHashes.Compute(source.Path).Sha256);
    }

    /// <summary>The copy is newer than the build's inputs even when the cache entry is old (File.Copy keeps a file's time).</summary>
    [Fact]
    public void The_placed_file_is_dated_now_not_with_the_cache_entrys_time()
    {
        var source = Cached(_content);
        File.SetLastWriteTimeUtc(source.Path, DateTime.UtcNow.AddDays(-3));
        var destination = _temp.Combine("obj", "darknet", "net.npy");
        var before = DateTime.UtcNow.AddSeconds(-2);

        Assert.True(ObjFile.Place(_cache, source, destination));

        Assert.True(File.GetLastWriteTimeUtc(destination) >= before);
    }

    /// <summary>Issue 8: no bytes copied into obj/; the link is dated now (newer than the stamp and than bin's copy), the entry read-only.</summary>
    [SkippableFact]
    public void A_verified_entry_is_linked_not_copied_and_dated_now()
    {
        SkipUnlessLinux();
        var source = Converted();
        File.SetLastWriteTimeUtc(source.Path, DateTime.UtcNow.AddDays(-3));   // an old entry (re-verified: its ctime moved)
        var destination = _temp.Combine("obj", "darknet", "net.npy");
        var before = DateTime.UtcNow.AddSeconds(-2);

        Assert.True(ObjFile.Place(_cache, Converted(), destination));

        Assert.True(SameFile(source.Path, destination));
        Assert.True(File.GetLastWriteTimeUtc(destination) >= before);
        Assert.True((File.GetAttributes(source.Path) & FileAttributes.ReadOnly) != 0);
        Assert.True(File.Exists(ObjFile.LinkRecordPath(destination)));
        Assert.Null(ObjFile.DropIfChanged(destination));
        Assert.True(File.Exists(destination));
        Assert.Equal(1, _conversions);
    }

    /// <summary>
    /// A second project linking the same entry moves its ctime (and mtime): the first project's link is still the verified
    /// entry, because the cache re-recorded the identity under the entry's lock.
    /// </summary>
    [SkippableFact]
    public void Another_link_to_the_same_entry_does_not_invalidate_the_first()
    {
        SkipUnlessLinux();
        var first = _temp.Combine("a", "obj", "net.npy");
        var second = _temp.Combine("b", "obj", "net.npy");
        Assert.True(ObjFile.Place(_cache, Converted(), first));
        Assert.True(ObjFile.Place(_cache, Converted(), second));

        Assert.Null(ObjFile.DropIfChanged(first));
        Assert.Null(ObjFile.DropIfChanged(second));
        Assert.True(SameFile(first, second));
        Assert.Equal(1, _conversions);
    }

    /// <summary>
    /// Before (a copy) a write to the obj/ file could not reach the cache. With a link it does: the write moves ctime,
    /// the resolve step drops the link, and the cache, whose record is no longer current, re-hashes the entry and converts
    /// it again: the damage is never handed out.
    /// </summary>
    [SkippableFact]
    public void A_write_through_the_link_is_caught_even_with_the_old_mtime_put_back()
    {
        SkipUnlessLinux();
        var destination = _temp.Combine("obj", "darknet", "net.npy");
        Assert.True(ObjFile.Place(_cache, Converted(), destination));

        ForceDamageThroughLink(destination, fromEnd: 1000, mask: 0x20);

        Assert.Contains("changed after it was verified", ObjFile.DropIfChanged(destination));
        Assert.False(File.Exists(destination));
        Assert.False(File.Exists(ObjFile.LinkRecordPath(destination)));
        var again = Converted();
        Assert.Equal(2, _conversions);
        Assert.True(ObjFile.Place(_cache, again, destination));
        Assert.Equal(_content, File.ReadAllBytes(destination));
    }

    /// <summary>`darknet cache clean` removed the entry: the project's link still holds the bytes; hashed once, kept, never re-fetched.</summary>
    [SkippableFact]
    public void A_link_whose_cache_entry_was_removed_is_hashed_once_and_kept_unless_damaged()
    {
        SkipUnlessLinux();
        var source = Converted();
        var destination = _temp.Combine("obj", "darknet", "net.npy");
        Assert.True(ObjFile.Place(_cache, source, destination));
        File.Delete(source.Path);
        File.Delete(source.Path + ".verified");

        Assert.Null(ObjFile.DropIfChanged(destination));
        Assert.Null(ObjFile.DropIfChanged(destination));
        Assert.Equal(_content, File.ReadAllBytes(destination));

        ForceDamageThroughLink(destination, fromEnd: 1000, mask: 0x20);
        Assert.Contains("was removed", ObjFile.DropIfChanged(destination));
        Assert.False(File.Exists(destination));
    }

    /// <summary>
    /// A file put in the link's place (same record beside it) is not the entry: hashed once against the record, kept when it
    /// has the recorded bytes (an obj/ restored by a CI cache), dropped when it has others.
    /// </summary>
    [SkippableFact]
    public void A_file_replacing_the_link_is_kept_with_the_recorded_bytes_and_dropped_with_others()
    {
        SkipUnlessLinux();
        var destination = _temp.Combine("obj", "darknet", "net.npy");
        Assert.True(ObjFile.Place(_cache, Converted(), destination));
        File.Delete(destination);
        File.WriteAllBytes(destination, _content);

        Assert.Null(ObjFile.DropIfChanged(destination));
        Assert.Null(ObjFile.DropIfChanged(destination));
        Assert.Equal(_content, File.ReadAllBytes(destination));

        File.Delete(destination);
        var other = (byte[])_content.Clone();
        other[^1] ^= 0xFF;
        File.WriteAllBytes(destination, other);
        Assert.Contains("is another file than its cache entry", ObjFile.DropIfChanged(destination));
        Assert.False(File.Exists(destination));
    }

    /// <summary>A cache on another volume: no link is possible, so the obj/ file is a copy (hashed, writable), the entry untouched.</summary>
    [SkippableFact]
    public void A_cache_on_another_volume_gives_a_copy()
    {
        SkipUnlessLinux();
        using var mount = new TmpfsMount("size=16m");
        var cache = new MachineCache(mount.File("cache"));
        var source = cache.GetConverted("key", "net.npy", stream => stream.Write(_content, 0, _content.Length));
        var destination = _temp.Combine("obj", "darknet", "net.npy");

        Assert.True(ObjFile.Place(cache, source, destination));

        Assert.False(SameFile(source.Path, destination));
        Assert.False(File.Exists(ObjFile.LinkRecordPath(destination)));
        Assert.Equal(_content, File.ReadAllBytes(destination));
        Assert.True((File.GetAttributes(destination) & FileAttributes.ReadOnly) == 0);
        Assert.Null(ObjFile.DropIfChanged(destination));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(destination)!, "*.dkn-tmp"));
    }
}
