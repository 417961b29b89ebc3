using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Darknet.Build.Tests.EndToEnd;
using Xunit;

namespace Darknet.Build.Tests.Adoption;

/// <summary>Must 2: what NuGet users expect of each package, read from the .nupkg files the README's command made.</summary>
[Collection(CleanCloneCollection.Name)]
public sealed class PackageMetadataTests
{
    private const string RepositoryUrl = "https://github.com/darknet-build/Darknet.Build.git";
    private readonly CleanClone _clone;

    public PackageMetadataTests(CleanClone clone) => _clone = clone;

    [Theory]
    [InlineData("Darknet.Build")]
    [InlineData("Darknet.Weights")]
    [InlineData("Darknet.Cli")]
    [InlineData("Darknet.Cli.any")]
    [InlineData("Darknet.Cli.linux-x64")]
    public void Each_package_has_readme_license_repository_project_url_description_and_tags(string id)
    {
        var project = id.StartsWith("Darknet.Cli", StringComparison.Ordinal) ? "Darknet.Cli" : id;
        using var zip = ZipFile.OpenRead(Package(id, "nupkg"));
        var metadata = Metadata(zip, id);
        string Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

        Assert.Equal(id, Value("id"));
        Assert.Equal(_clone.ReadmeVersion, Value("version"));
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
        Assert.StartsWith("https://github.com/", Value("projectUrl"));
        Assert.True(Value("description").Length > 40, "description: " + Value("description"));
        Assert.Contains("darknet", Value("tags").Split(' '));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Equal(RepositoryUrl, repository.Attribute("url")?.Value);
        Assert.Equal(_clone.Commit, repository.Attribute("commit")?.Value);

        Assert.Equal("README.md", Value("readme"));
        using var readme = new StreamReader(zip.GetEntry("README.md")!.Open());
        var text = readme.ReadToEnd();
        Assert.StartsWith("# " + project + "\n", text);
        Assert.Equal(File.ReadAllText(Path.Combine(_clone.Repo, "src", project, "README.md")), text);
    }

    [Fact]
    public void The_repository_has_the_MIT_license_the_packages_declare()
    {
        var license = File.ReadAllText(Path.Combine(_clone.Repo, "LICENSE"));
        Assert.StartsWith("MIT License", license);
        Assert.Contains("Permission is hereby granted, free of charge", license);
    }

    [Fact]
    public void Darknet_Weights_ships_XML_docs_for_its_whole_public_API()
    {
        using var zip = ZipFile.OpenRead(Package("Darknet.Weights", "nupkg"));
        Assert.NotNull(zip.GetEntry("lib/netstandard2.0/Darknet.Weights.dll"));
        using var stream = zip.GetEntry("lib/netstandard2.0/Darknet.Weights.xml")!.Open();
        var documented = XDocument.Load(stream).Descendants("member")
            .Where(m => m.Element("summary") != null || m.Element("inheritdoc") != null)
            .Select(m => m.Attribute("name")!.Value).ToHashSet();
        foreach (var member in new[]
                 {
                     "T:Darknet.Weights.ModelFile", "M:Darknet.Weights.ModelFile.Load(System.String)", "M:Darknet.Weights.ModelFile.Load(System.IO.Stream)",
                     "P:Darknet.Weights.ModelFile.Layers", "P:Darknet.Weights.ModelFile.Item(System.String)",
                     "M:Darknet.Weights.ModelFile.TryGetLayer(System.String,Darknet.Weights.ModelLayer@)",
                     "T:Darknet.Weights.ModelLayer", "P:Darknet.Weights.ModelLayer.Name", "P:Darknet.Weights.ModelLayer.Weights",
                     "P:Darknet.Weights.ModelLayer.Biases", "P:Darknet.Weights.ModelLayer.BatchNorm",
                     "T:Darknet.Weights.BatchNorm", "P:Darknet.Weights.BatchNorm.Gamma", "P:Darknet.Weights.BatchNorm.Beta",
                     "P:Darknet.Weights.BatchNorm.MovingMean", "P:Darknet.Weights.BatchNorm.MovingVariance",
                     "T:Darknet.Weights.Float32Array", "P:Darknet.Weights.Float32Array.Shape", "P:Darknet.Weights.Float32Array.Length",
                     "P:Darknet.Weights.Float32Array.Span", "P:Darknet.Weights.Float32Array.Memory",
                     "T:Darknet.Weights.DarknetException", "P:Darknet.Weights.DarknetException.Code",
                 })
            Assert.Contains(member, documented);
    }

    [Theory]
    [InlineData("Darknet.Weights", "lib/netstandard2.0/Darknet.Weights.pdb")]
    [InlineData("Darknet.Weights", "lib/net8.0/Darknet.Weights.pdb")]
    [InlineData("Darknet.Cli.any", "tools/net8.0/any/darknet.pdb")]
    [InlineData("Darknet.Cli.any", "tools/net10.0/any/darknet.pdb")]
    public void Symbols_come_as_a_snupkg(string id, string pdb)
    {
        using var zip = ZipFile.OpenRead(Package(id, "snupkg"));
        Assert.NotNull(zip.GetEntry(pdb));
        Assert.Contains("SymbolsPackage", Metadata(zip, id).Parent!.ToString());
    }

    /// <summary>A task package has no lib/ for a .snupkg to match: its assemblies carry their .pdb inside.</summary>
    [Fact]
    public void The_task_assemblies_embed_their_symbols()
    {
        using var zip = ZipFile.OpenRead(Package("Darknet.Build", "nupkg"));
        foreach (var tfm in new[] { "net472", "net8.0", "net10.0" })
        foreach (var assembly in new[] { "Darknet.Build.dll", "Darknet.Cache.dll" })
        {
            using var memory = new MemoryStream();
            using (var stream = zip.GetEntry($"tasks/{tfm}/{assembly}")!.Open()) stream.CopyTo(memory);
            memory.Position = 0;
            using var pe = new PEReader(memory);
            Assert.Contains(pe.ReadDebugDirectory(), d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        }
    }

    private string Package(string id, string extension) => Path.Combine(_clone.Artifacts, $"{id}.{_clone.ReadmeVersion}.{extension}");

    private static XElement Metadata(ZipArchive zip, string id)
    {
        using var stream = zip.GetEntry(id + ".nuspec")!.Open();
        var nuspec = XDocument.Load(stream);
        return nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }
}
