using Darknet.Cache;
using Darknet.Build.Tasks;
using Darknet.Build.Tests.Infrastructure;
using Xunit;

namespace Darknet.Build.Tests.Tasks;

/// <summary>The copy into obj/: hashed while copying, checked against the cache's record, never a damaged file.</summary>
public sealed class ObjFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly byte[] _content = SeededBytes.Create(3 * 1024 * 1024 + 3, seed: 41);

    public void Dispose() => _temp.Dispose();

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

        Assert.True(ObjFile.Place(source, destination));
        Assert.Equal(_content, File.ReadAllBytes(destination));

        var old = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(destination, old);
        Assert.True(ObjFile.Place(source, destination));
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

        Assert.False(ObjFile.Place(source, destination));

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

        Assert.True(ObjFile.Place(source, Path.Combine(directory, "net.npy")));

        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
    }

    /// <summary>The obj/ file is a copy (or a copy-on-write clone), never a hard link: changing it leaves the cache entry as it was.</summary>
    [Fact]
    public void Writing_to_the_placed_file_leaves_the_cache_entry_alone()
    {
        var source = Cached(_content);
        var destination = _temp.Combine("obj", "darknet", "net.npy");
        Assert.True(ObjFile.Place(source, destination));

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

        Assert.True(ObjFile.Place(source, destination));

        Assert.True(File.GetLastWriteTimeUtc(destination) >= before);
    }
}
