using Darknet.Testing;
using Darknet.Weights.IO;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19, Must 4: whatever link properties a project sets for MSBuild's copies, its bin/ and publish/ model files are
/// its own. Two projects build one model from one cache (so obj/ of each is the cache entry's inode); as root, which
/// ignores the read-only mode, a write into one project's output changes neither the other project's output nor the cache
/// entry. Before: with CreateHardLinksForAdditionalFilesIfPossible every bin/ file was the entry's inode, and with the
/// symbolic-link property bin/ was a link to obj/, that is to the entry.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class OutputsApartTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public OutputsApartTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private static void SkipUnlessRootOnLinux()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && FileIdentity.Of(typeof(OutputsApartTests).Assembly.Location) != null,
            "obj/ files are links to the cache entry only where the cache reads file identities (Linux statx)");
        Skip.IfNot(Environment.UserName == "root", "only root writes through a read-only file: the case this test is about");
    }

    private (TestProject A, TestProject B, string Cache) TwoProjects(string name, string properties)
    {
        var weights = SyntheticWeights.OfSize(name + ".weights", CacheTrustTests.TinySize, seed: 71);
        _fixture.Server.Serve(name + "/" + weights.FileName, weights.Bytes);
        var url = _fixture.Server.Url(name + "/" + weights.FileName);
        var cache = _fixture.NewDirectory(name + "-cache");
        return (CacheTrustTests.CustomProject(_fixture, name + "A", cache, url, properties),
            CacheTrustTests.CustomProject(_fixture, name + "B", cache, url, properties), cache);
    }

    private static string CacheEntry(string cache) =>
        Directory.GetFiles(Path.Combine(cache, "converted"), "mynet.npy", SearchOption.AllDirectories).Single();

    /// <summary>Writes into the file in place, through whatever name it has (a hard link, a symbolic link), as root may.</summary>
    private static void WriteInto(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Seek(-16, SeekOrigin.End);
        stream.Write(new byte[16].Select(_ => (byte)0x5A).ToArray());
    }

    private static string Describe(string path)
    {
        var status = FileStatus.Of(path, followLinks: false);
        var target = new FileInfo(path).LinkTarget;
        return $"{path}: {(target != null ? "symbolic link to " + target : "inode " + status.Inode)}";
    }

    [SkippableTheory]
    [InlineData("CreateHardLinksForCopyFilesToOutputDirectoryIfPossible")]
    [InlineData("CreateHardLinksForAdditionalFilesIfPossible")]
    [InlineData("CreateSymbolicLinksForCopyFilesToOutputDirectoryIfPossible")]
    [InlineData("CreateSymbolicLinksForAdditionalFilesIfPossible")]
    public void A_write_into_one_projects_bin_changes_no_other_output_and_not_the_cache(string property)
    {
        SkipUnlessRootOnLinux();
        var (a, b, cache) = TwoProjects("apart-" + property.Length + (property.Contains("Symbolic", StringComparison.Ordinal) ? "s" : "h") +
            (property.Contains("Additional", StringComparison.Ordinal) ? "a" : "c"), $"<{property}>true</{property}>");
        Succeeded(a.Build());
        Succeeded(b.Build());
        var binA = Path.Combine(a.BinDirectory, "mynet.npy");
        var binB = Path.Combine(b.BinDirectory, "mynet.npy");
        var entry = CacheEntry(cache);
        var good = File.ReadAllBytes(entry);
        Assert.Equal(good, File.ReadAllBytes(binA));
        Assert.Equal(good, File.ReadAllBytes(binB));
        _output.WriteLine(Describe(binA));
        _output.WriteLine(Describe(binB));
        _output.WriteLine(Describe(entry));

        WriteInto(binA);

        Assert.NotEqual(good, File.ReadAllBytes(binA));
        Assert.Equal(good, File.ReadAllBytes(binB));
        Assert.Equal(good, File.ReadAllBytes(entry));
        Assert.Equal(good, File.ReadAllBytes(Path.Combine(a.ObjModelDirectory, "mynet.npy")));

        // With the property set, a warm build is still a no-op for the model's copy.
        Succeeded(a.Build());
        var binTime = File.GetLastWriteTimeUtc(binA);
        Succeeded(a.Build());
        Assert.Equal(binTime, File.GetLastWriteTimeUtc(binA));
    }

    [SkippableTheory]
    [InlineData("CreateHardLinksForPublishFilesIfPossible")]
    [InlineData("CreateSymbolicLinksForPublishFilesIfPossible")]
    public void A_write_into_one_projects_publish_folder_changes_no_other_output_and_not_the_cache(string property)
    {
        SkipUnlessRootOnLinux();
        var (a, b, cache) = TwoProjects("apart-publish-" + (property.Contains("Symbolic", StringComparison.Ordinal) ? "s" : "h"),
            $"<{property}>true</{property}><CreateHardLinksForAdditionalFilesIfPossible>true</CreateHardLinksForAdditionalFilesIfPossible>");
        var publishA = Path.Combine(a.Directory, "out");
        var publishB = Path.Combine(b.Directory, "out");
        Succeeded(a.Publish(publishA));
        Succeeded(b.Publish(publishB));
        var fileA = Path.Combine(publishA, "mynet.npy");
        var entry = CacheEntry(cache);
        var good = File.ReadAllBytes(entry);
        _output.WriteLine(Describe(fileA));
        _output.WriteLine(Describe(entry));

        WriteInto(fileA);

        Assert.NotEqual(good, File.ReadAllBytes(fileA));
        Assert.Equal(good, File.ReadAllBytes(Path.Combine(publishB, "mynet.npy")));
        // dotnet publish builds Release: bin/Release/net10.0 holds the build's copies.
        Assert.Equal(good, File.ReadAllBytes(Path.Combine(b.Directory, "bin", "Release", "net10.0", "mynet.npy")));
        Assert.Equal(good, File.ReadAllBytes(Path.Combine(a.Directory, "bin", "Release", "net10.0", "mynet.npy")));
        Assert.Equal(good, File.ReadAllBytes(entry));
    }
}
