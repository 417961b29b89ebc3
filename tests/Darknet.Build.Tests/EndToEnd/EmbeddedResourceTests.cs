using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class EmbeddedResourceTests
{
    private readonly EndToEndFixture _fixture;

    public EmbeddedResourceTests(EndToEndFixture fixture) => _fixture = fixture;

    [Fact]
    public void AsEmbeddedResourceEmbedsUnderTheFileNameOrTheLogicalName()
    {
        var mirror = _fixture.ServeTiny("embedded");
        var items = $"""
            <DarknetModel Include="yolov3-tiny" As="EmbeddedResource" Sha256="{_fixture.Tiny.Sha256}" />
            <DarknetModel Include="yolov3-tiny" OutputName="tiny-copy" As="EmbeddedResource" LogicalName="Models.Tiny.npy" Sha256="{_fixture.Tiny.Sha256}" />
            """;
        var app = _fixture.CreateProject("EmbeddedApp", _fixture.NewDirectory("embedded-cache"), items,
            $"<DarknetMirror>{mirror}</DarknetMirror>");

        Succeeded(app.Build());

        Assert.Equal(new[] { "Models.Tiny.npy", "yolov3-tiny.npy" }, ResourceNames(Path.Combine(app.BinDirectory, "EmbeddedApp.dll")));
        Assert.False(File.Exists(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")), "an embedded model is not also copied to bin");
        // Both items are the same content: downloaded once.
        Assert.Equal(1, _fixture.Server.RequestCount("embedded/yolov3-tiny.weights"));
    }

    private static string[] ResourceNames(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var reader = pe.GetMetadataReader();
        return reader.ManifestResources.Select(h => reader.GetString(reader.GetManifestResource(h).Name)).Order(StringComparer.Ordinal).ToArray();
    }
}
