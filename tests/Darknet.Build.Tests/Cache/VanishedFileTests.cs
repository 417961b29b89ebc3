using Darknet.Cache;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Darknet.Weights.IO;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Cache;

/// <summary>
/// Issue 19, Must 6: a file the cache was writing that another process removed mid-write (what `darknet cache clean`
/// did before it took locks, simulated here by deleting it from inside the write) is its own error, DKN4017, after one
/// retry that starts the write again; DKN4012 is left for a cache that cannot be written. Before: DKN4012 "Could not
/// find file '….dkn-tmp'. Set DARKNET_CACHE_DIR or DarknetCacheDir to a writable directory", at once.
/// </summary>
public sealed class VanishedFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MachineCache _cache;
    private readonly byte[] _content = SeededBytes.Create(300_000, seed: 5);

    public VanishedFileTests() => _cache = new MachineCache(_temp.Combine("cache"));

    public void Dispose() => _temp.Dispose();

    private static string Key => new string('e', 64);

    /// <summary>A write that deletes its own temp (and, with <paramref name="directoryToo"/>, the entry's directory) halfway, the first <paramref name="times"/> times.</summary>
    private Action<Stream> Write(int times, bool directoryToo = false, List<int>? calls = null)
    {
        var call = 0;
        return stream =>
        {
            calls?.Add(++call);
            stream.Write(_content, 0, _content.Length / 2);
            if (call <= times)
            {
                var directory = Path.GetDirectoryName(_cache.ConvertedPath(Key, "net.npy"))!;
                var temp = Assert.Single(Directory.GetFiles(directory, "*" + TempFiles.Suffix));
                File.Delete(temp);
                if (directoryToo) Directory.Delete(directory, recursive: true);
            }
            stream.Write(_content, _content.Length / 2, _content.Length - _content.Length / 2);
        };
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_temp_removed_once_mid_write_is_written_again_and_published(bool directoryToo)
    {
        var calls = new List<int>();

        var converted = _cache.GetConverted(Key, "net.npy", Write(1, directoryToo, calls));

        Assert.Equal(new[] { 1, 2 }, calls);
        Assert.True(converted.Published);
        Assert.Equal(_content, File.ReadAllBytes(converted.Path));
        Assert.Equal(SeededBytes.Sha256(_content), Sidecar.Read(converted.Path)!.Hashes.Sha256);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(converted.Path)!, "*" + TempFiles.Suffix));
    }

    [Fact]
    public void A_temp_removed_every_time_is_DKN4017_naming_a_concurrent_clean_not_DKN4012()
    {
        var calls = new List<int>();

        var error = Assert.Throws<DarknetException>(() => _cache.GetConverted(Key, "net.npy", Write(int.MaxValue, calls: calls)));

        Assert.Equal(ErrorCodes.EntryVanished, error.Code);
        Assert.Equal("DKN4017", error.Code);
        Assert.Equal(new[] { 1, 2 }, calls);
        Assert.Contains("removed by another process", error.Message);
        Assert.Contains("darknet cache clean", error.Message);
        Assert.Contains(_cache.ConvertedPath(Key, "net.npy"), error.Message);
        Assert.DoesNotContain("writable directory", error.Message);
        Assert.False(File.Exists(_cache.ConvertedPath(Key, "net.npy")));
    }

    [Fact]
    public async Task A_partial_download_removed_mid_download_is_downloaded_again()
    {
        var request = new WeightsRequest("net.weights", _content.Length, new[] { "http://127.0.0.1:1/net.weights" }, sha256: SeededBytes.Sha256(_content));
        var downloads = 0;

        var weights = await _cache.GetWeightsAsync(request, (r, partial, token) =>
        {
            downloads++;
            File.WriteAllBytes(partial, _content);
            var hashes = FileHashes.Compute(partial);
            // What a clean that ignored the lock did: the partial (and with --all its directory) went while it was written.
            if (downloads == 1) Directory.Delete(Path.GetDirectoryName(partial)!, recursive: true);
            return Task.FromResult(hashes);
        });

        Assert.Equal(2, downloads);
        Assert.Equal(_content, File.ReadAllBytes(weights.Path));
    }
}
