using System.Diagnostics;
using Darknet.Weights.IO;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.IO;

public class TempFilesTests
{
    [Fact]
    public void A_temp_sits_beside_its_file_hidden_and_names_this_process()
    {
        using var dir = new TempDirectory();
        var temp = TempFiles.PathFor(dir.File("model.npy"));

        Assert.Equal(dir.Path, Path.GetDirectoryName(temp));
        var name = Path.GetFileName(temp);
        Assert.True(TempFiles.IsTemp(name), name);
        Assert.StartsWith(".model.npy.", name);
        Assert.Equal(Environment.ProcessId, TempFiles.OwnerOf(name));
    }

    [Fact]
    public void Temps_of_a_dead_process_are_removed_and_live_ones_and_other_files_kept()
    {
        using var dir = new TempDirectory();
        var dead = DeadProcessId();
        var orphan = Path.Combine(dir.Path, $".model.npy.{dead}-0badf00d{TempFiles.Suffix}");
        var live = TempFiles.PathFor(dir.File("model.npy"));
        var other = dir.File("model.npy");
        foreach (var path in new[] { orphan, live, other }) File.WriteAllText(path, "x");

        Assert.Equal(1, TempFiles.DeleteOrphans(dir.Path));

        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void A_temp_older_than_a_day_is_removed_whoever_made_it()
    {
        using var dir = new TempDirectory();
        var old = TempFiles.PathFor(dir.File("model.npy"));
        File.WriteAllText(old, "x");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow - TempFiles.MaxAge - TimeSpan.FromMinutes(1));

        Assert.Equal(1, TempFiles.DeleteOrphans(dir.Path));
        Assert.False(File.Exists(old));
    }

    [Fact]
    public void Under_the_entry_lock_every_temp_of_that_entry_goes_and_only_those()
    {
        using var dir = new TempDirectory();
        var mine = TempFiles.PathFor(dir.File("a.weights"));
        var otherEntry = TempFiles.PathFor(dir.File("b.weights"));
        File.WriteAllText(mine, "x");
        File.WriteAllText(otherEntry, "x");

        Assert.Equal(1, TempFiles.DeleteOrphans(dir.Path, "a.weights", evenLive: true));

        Assert.False(File.Exists(mine));
        Assert.True(File.Exists(otherEntry));
    }

    private static int DeadProcessId()
    {
        using var process = ProcessRun.Start(new ProcessRun.Options(), "true");
        process.WaitForExit();
        return process.Id;
    }
}
