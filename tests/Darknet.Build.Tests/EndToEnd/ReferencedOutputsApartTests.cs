using Darknet.Testing;
using Darknet.Weights.IO;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 19, Must 4 across a ProjectReference: B references A, which has the model, and B's build copies A's model file
/// into B's bin/ with B's link properties. Darknet.Build is a development dependency (PrivateAssets=all), so B references
/// it too; its targets then give B's copy of A's model a real file of its own. As root, which ignores the read-only mode,
/// a write into B's bin/ or publish/ file leaves A's bin/, A's obj/ and the cache entry unchanged. Before: hard links made B's bin/
/// file the entry's inode, symbolic links pointed it at A's obj/ file, that is at the entry.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReferencedOutputsApartTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public ReferencedOutputsApartTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [SkippableTheory]
    [InlineData("CreateHardLinksForAdditionalFilesIfPossible")]
    [InlineData("CreateSymbolicLinksForAdditionalFilesIfPossible")]
    public void A_write_into_the_referencing_projects_bin_changes_nothing_of_the_referenced_project(string property)
    {
        Skip.IfNot(OperatingSystem.IsLinux() && FileIdentity.Of(typeof(ReferencedOutputsApartTests).Assembly.Location) != null,
            "obj/ files are links to the cache entry only where the cache reads file identities (Linux statx)");
        Skip.IfNot(Environment.UserName == "root", "only root writes through a read-only file: the case this test is about");
        var name = "referenced-" + (property.Contains("Symbolic", StringComparison.Ordinal) ? "s" : "h");
        var weights = SyntheticWeights.OfSize(name + ".weights", CacheTrustTests.TinySize, seed: 73);
        _fixture.Server.Serve(name + "/" + weights.FileName, weights.Bytes);
        var cache = _fixture.NewDirectory(name + "-cache");
        var a = CacheTrustTests.CustomProject(_fixture, name + "A", cache, _fixture.Server.Url(name + "/" + weights.FileName));
        var b = _fixture.CreateProject(name + "B", cache,
            $"""<ProjectReference Include="{a.ProjectPath}" />""", $"<{property}>true</{property}>");

        Succeeded(b.Build());

        var binA = Path.Combine(a.BinDirectory, "mynet.npy");
        var objA = Path.Combine(a.ObjModelDirectory, "mynet.npy");
        var binB = Path.Combine(b.BinDirectory, "mynet.npy");
        var entry = Directory.GetFiles(Path.Combine(cache, "converted"), "mynet.npy", SearchOption.AllDirectories).Single();
        var good = File.ReadAllBytes(entry);
        Assert.Equal(good, File.ReadAllBytes(binB));
        foreach (var path in new[] { binA, objA, binB, entry })
        {
            var target = new FileInfo(path).LinkTarget;
            _output.WriteLine($"{path}: {(target != null ? "symbolic link to " + target : "inode " + FileStatus.Of(path, followLinks: false).Inode)}");
        }

        using (var stream = new FileStream(binB, FileMode.Open, FileAccess.Write))
        {
            stream.Seek(-16, SeekOrigin.End);
            stream.Write(Enumerable.Repeat((byte)0x5A, 16).ToArray());
        }

        Assert.NotEqual(good, File.ReadAllBytes(binB));
        Assert.Equal(good, File.ReadAllBytes(binA));
        Assert.Equal(good, File.ReadAllBytes(objA));
        Assert.Equal(good, File.ReadAllBytes(entry));
    }

    [SkippableTheory]
    [InlineData("CreateHardLinksForPublishFilesIfPossible")]
    [InlineData("CreateSymbolicLinksForPublishFilesIfPossible")]
    public void A_write_into_the_referencing_projects_publish_folder_changes_nothing_of_the_referenced_project(string property)
    {
        Skip.IfNot(OperatingSystem.IsLinux() && FileIdentity.Of(typeof(ReferencedOutputsApartTests).Assembly.Location) != null,
            "obj/ files are links to the cache entry only where the cache reads file identities (Linux statx)");
        Skip.IfNot(Environment.UserName == "root", "only root writes through a read-only file: the case this test is about");
        var name = "referenced-publish-" + (property.Contains("Symbolic", StringComparison.Ordinal) ? "s" : "h");
        var weights = SyntheticWeights.OfSize(name + ".weights", CacheTrustTests.TinySize, seed: 79);
        _fixture.Server.Serve(name + "/" + weights.FileName, weights.Bytes);
        var cache = _fixture.NewDirectory(name + "-cache");
        var a = CacheTrustTests.CustomProject(_fixture, name + "A", cache, _fixture.Server.Url(name + "/" + weights.FileName));
        var b = _fixture.CreateProject(name + "B", cache,
            $"""<ProjectReference Include="{a.ProjectPath}" />""", $"<{property}>true</{property}>");
        var publishB = Path.Combine(b.Directory, "out");

        Succeeded(b.Publish(publishB));

        // dotnet publish builds Release, A included.
        var objA = Path.Combine(a.Directory, "obj", "Release", "net10.0", "darknet", "mynet.npy");
        var fileB = Path.Combine(publishB, "mynet.npy");
        var entry = Directory.GetFiles(Path.Combine(cache, "converted"), "mynet.npy", SearchOption.AllDirectories).Single();
        var good = File.ReadAllBytes(entry);
        Assert.Equal(good, File.ReadAllBytes(fileB));
        var target = new FileInfo(fileB).LinkTarget;
        _output.WriteLine($"{fileB}: {(target != null ? "symbolic link to " + target : "inode " + FileStatus.Of(fileB, followLinks: false).Inode)}");

        using (var stream = new FileStream(fileB, FileMode.Open, FileAccess.Write))
        {
            stream.Seek(-16, SeekOrigin.End);
            stream.Write(Enumerable.Repeat((byte)0x5A, 16).ToArray());
        }

        Assert.NotEqual(good, File.ReadAllBytes(fileB));
        Assert.Equal(good, File.ReadAllBytes(objA));
        Assert.Equal(good, File.ReadAllBytes(entry));
    }
}
