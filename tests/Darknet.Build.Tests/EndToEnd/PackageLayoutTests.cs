using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>Must 1: what `dotnet pack src/Darknet.Build` puts in the .nupkg (the fixture's package, packed once per run).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PackageLayoutTests
{
    private readonly EndToEndFixture _fixture;

    public PackageLayoutTests(EndToEndFixture fixture) => _fixture = fixture;

    private string PackagePath => Path.Combine(_fixture.FeedDirectory, $"Darknet.Build.{_fixture.Version}.nupkg");

    [Fact]
    public void PackageHasBuildAndBuildTransitiveAndTheTasksForBothMsbuildRuntimes()
    {
        using var zip = ZipFile.OpenRead(PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();

        foreach (var folder in new[] { "build", "buildTransitive" })
        foreach (var file in new[] { "Darknet.Build.props", "Darknet.Build.targets" })
            Assert.Contains($"{folder}/{file}", entries);
        var assemblies = entries.Where(e => e.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal);
        Assert.Equal(new[]
        {
            "tasks/net10.0/Darknet.Build.dll", "tasks/net10.0/Darknet.Cache.dll", "tasks/net10.0/Darknet.Weights.dll",
            "tasks/net472/Darknet.Build.dll", "tasks/net472/Darknet.Cache.dll", "tasks/net472/Darknet.Weights.dll",
            "tasks/net8.0/Darknet.Build.dll", "tasks/net8.0/Darknet.Cache.dll", "tasks/net8.0/Darknet.Weights.dll",
        }, assemblies);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
        // The packed .props/.targets are the repo's build/ sources.
        var repoBuild = Path.Combine(PackedPackage.RepositoryRoot(), "build");
        foreach (var file in new[] { "Darknet.Build.props", "Darknet.Build.targets" })
        {
            using var reader = new StreamReader(zip.GetEntry("buildTransitive/" + file)!.Open());
            Assert.Equal(File.ReadAllText(Path.Combine(repoBuild, file)), reader.ReadToEnd());
        }
    }

    [Fact]
    public void PackageIsADevelopmentDependencyWithNoDependencies()
    {
        using var zip = ZipFile.OpenRead(PackagePath);
        using var stream = zip.GetEntry("Darknet.Build.nuspec")!.Open();
        var nuspec = XDocument.Load(stream);
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");

        Assert.Equal("true", metadata.Elements().Single(e => e.Name.LocalName == "developmentDependency").Value);
        Assert.DoesNotContain(nuspec.Descendants(), e => e.Name.LocalName is "dependency" or "frameworkAssembly" or "frameworkReference");
    }

    /// <summary>The task assemblies use only the framework, MSBuild's own assemblies, the cache and the core library.</summary>
    [Fact]
    public void TaskAssembliesReferenceNoThirdPartyAssembly()
    {
        var allowed = new Regex(@"^(mscorlib|netstandard|System(\..+)?|Microsoft\.Build(\..+)?|Microsoft\.Win32\..+|Darknet\.(Cache|Weights))$");
        using var zip = ZipFile.OpenRead(PackagePath);
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("tasks/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)))
        {
            using var memory = new MemoryStream();
            using (var stream = entry.Open()) stream.CopyTo(memory);
            memory.Position = 0;
            using var pe = new PEReader(memory);
            var reader = pe.GetMetadataReader();
            var references = reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).ToList();
            Assert.True(references.All(allowed.IsMatch), entry.FullName + " references " + string.Join(", ", references));
        }
    }
}
