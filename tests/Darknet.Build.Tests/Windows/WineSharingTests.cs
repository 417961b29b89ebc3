using Darknet.Testing;
using Darknet.Build.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Build.Tests.Windows;

/// <summary>
/// Windows sharing semantics under Wine: a file another process holds open (WinHost hold) while the CLI replaces or
/// removes it. Without FILE_SHARE_DELETE, Windows neither renames over nor deletes an open file (Linux does both); a
/// holder that shares delete lets both happen.
/// </summary>
[Collection(WineCollection.Name)]
public sealed class WineSharingTests
{
    private static readonly Lazy<SyntheticWeights> Tiny = new(() => SyntheticWeights.ForBuiltIn("yolov3-tiny"));
    private readonly WineFixture _wine;
    private readonly ITestOutputHelper _output;

    public WineSharingTests(WineFixture wine, ITestOutputHelper output)
    {
        _wine = wine;
        _output = output;
    }

    [SkippableFact]
    public void Converting_over_an_output_another_program_has_open_is_DKN2008_naming_the_file()
    {
        SkipWithoutWine();
        var (weights, output) = ConvertOnce("held-output");
        var before = File.ReadAllBytes(output);

        ProcessRun.Result again;
        using (_wine.Hold(output, "Read"))
            again = Cli("convert", "--model", "yolov3-tiny", "--weights_dir", WineFixture.WindowsPath(weights), "--save_dir", WineFixture.WindowsPath(Path.GetDirectoryName(output)!), "--format", "npy");

        Assert.True(again.Exit == 1, again.ToString());
        Assert.Contains("DKN2008", again.Stderr);
        Assert.Contains("cannot replace " + WineFixture.WindowsPath(output) + ": another program has it open", again.Stderr);
        Assert.Equal(before, File.ReadAllBytes(output));
        // No temp of ours is left (Wine's ReplaceFile leaves an empty rf*.tmp of its own: Windows' does not).
        Assert.DoesNotContain(Directory.GetFiles(Path.GetDirectoryName(output)!), f => f.EndsWith(".dkn-tmp", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Converting_over_an_output_held_with_delete_sharing_replaces_it()
    {
        SkipWithoutWine();
        var (weights, output) = ConvertOnce("shared-output");
        File.WriteAllBytes(output, new byte[] { 1, 2, 3 });

        ProcessRun.Result again;
        using (_wine.Hold(output, "ReadDelete"))
            again = Cli("convert", "--model", "yolov3-tiny", "--weights_dir", WineFixture.WindowsPath(weights), "--save_dir", WineFixture.WindowsPath(Path.GetDirectoryName(output)!), "--format", "npy");

        Assert.True(again.Exit == 0, again.ToString());
        Assert.True(new FileInfo(output).Length > 35_000_000);
    }

    [SkippableFact]
    public void Clean_keeps_an_entry_another_program_has_open_and_says_so()
    {
        SkipWithoutWine();
        var (cache, entry) = Fetched("held-clean");

        ProcessRun.Result clean;
        using (_wine.Hold(entry, "Read"))
            clean = Cli("cache", "clean", "--all", "--cache", WineFixture.WindowsPath(cache));

        Assert.True(clean.Exit == 0, clean.ToString());
        Assert.Contains($@"in use   weights\sha256-{Tiny.Value.Sha256}\yolov3-tiny.weights (open in another program; kept)", clean.Stdout);
        Assert.Contains("removed 0 files (0.0 MB)", clean.Stdout);
        Assert.Contains("1 in use, kept", clean.Stdout);
        Assert.True(File.Exists(entry));
        // Its record stays with it: the entry is still trusted without hashing.
        Assert.True(File.Exists(entry + ".verified"));

        var after = Cli("cache", "clean", "--all", "--cache", WineFixture.WindowsPath(cache));
        Assert.True(after.Exit == 0, after.ToString());
        Assert.Contains("removed 1 files (35.4 MB)", after.Stdout);
        Assert.False(File.Exists(entry));
    }

    [SkippableFact]
    public void Clean_removes_an_entry_held_with_delete_sharing()
    {
        SkipWithoutWine();
        var (cache, entry) = Fetched("shared-clean");

        ProcessRun.Result clean;
        using (_wine.Hold(entry, "ReadDelete"))
            clean = Cli("cache", "clean", "--all", "--cache", WineFixture.WindowsPath(cache));

        Assert.True(clean.Exit == 0, clean.ToString());
        Assert.Contains("removed 1 files (35.4 MB)", clean.Stdout);
        Assert.False(File.Exists(entry));
    }

    [SkippableFact]
    public void Verify_says_when_a_damaged_entry_is_open_and_cannot_be_removed()
    {
        SkipWithoutWine();
        var (cache, entry) = Fetched("held-verify");
        WineCliTests.Damage(entry);

        ProcessRun.Result verify;
        using (_wine.Hold(entry, "Read"))
            verify = Cli("cache", "verify", "--cache", WineFixture.WindowsPath(cache));

        Assert.True(verify.Exit == 1, verify.ToString());
        Assert.Contains($@"DAMAGED  weights\sha256-{Tiny.Value.Sha256}\yolov3-tiny.weights", verify.Stdout);
        Assert.Contains("not removed: open in another program; close it and run `darknet cache verify` again", verify.Stdout);
        Assert.Contains("0 ok, 1 damaged (1 not removed)", verify.Stdout);
        Assert.True(File.Exists(entry));
        // Without its record the entry is hashed again before any use, so the damage cannot be served.
        Assert.False(File.Exists(entry + ".verified"));

        // Without its record, once closed, it is what a file placed by hand is to the cache: moved aside, never deleted.
        var again = Cli("cache", "verify", "--cache", WineFixture.WindowsPath(cache));
        Assert.True(again.Exit == 1, again.ToString());
        Assert.Contains("0 ok, 0 damaged and removed, 1 placed by hand, failed and moved aside", again.Stdout);
        Assert.False(File.Exists(entry));
    }

    private void SkipWithoutWine() => Skip.If(_wine.SkipReason != null, _wine.SkipReason);

    private (string Weights, string Output) ConvertOnce(string name)
    {
        var work = _wine.NewDirectory(name);
        var weights = Path.Combine(work, "weights");
        Directory.CreateDirectory(weights);
        File.WriteAllBytes(Path.Combine(weights, Tiny.Value.FileName), Tiny.Value.Bytes);
        var output = Path.Combine(work, "out", "yolov3-tiny.npy");
        var first = Cli("convert", "--model", "yolov3-tiny", "--weights_dir", WineFixture.WindowsPath(weights), "--save_dir", WineFixture.WindowsPath(Path.GetDirectoryName(output)!), "--format", "npy");
        Assert.True(first.Exit == 0, first.ToString());
        return (weights, output);
    }

    private (string Cache, string Entry) Fetched(string name)
    {
        _wine.Server.Serve(name + "/" + Tiny.Value.FileName, Tiny.Value.Bytes);
        var cache = _wine.NewDirectory(name);
        var fetch = Cli("fetch", "yolov3-tiny", "--cache", WineFixture.WindowsPath(cache), "--mirror", _wine.Server.Url(name + "/"), "--sha256", Tiny.Value.Sha256);
        Assert.True(fetch.Exit == 0, fetch.ToString());
        return (cache, Path.Combine(cache, "weights", "sha256-" + Tiny.Value.Sha256, "yolov3-tiny.weights"));
    }

    private ProcessRun.Result Cli(params string[] args)
    {
        var result = _wine.RunCli(args);
        _output.WriteLine("wine> darknet " + string.Join(' ', args) + "\n" + result + "\n");
        return result;
    }
}
