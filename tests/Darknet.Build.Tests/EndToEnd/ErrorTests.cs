using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>Failures are MSBuild errors with a DKN code and a message that says what to do.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ErrorTests
{
    private readonly EndToEndFixture _fixture;

    public ErrorTests(EndToEndFixture fixture) => _fixture = fixture;

    [Fact]
    public void UnknownModelListsTheKnownNames()
    {
        var app = _fixture.CreateProject("UnknownApp", _fixture.NewDirectory("unknown-cache"), """<DarknetModel Include="yolov9000" />""");
        var result = app.Build();
        FailedWith(result, "DKN5001");
        Assert.Contains(app.ProjectPath + " : error DKN5001", result.Output);   // points at the project, not at our .targets
        Assert.Contains("yolov9000", result.Output);
        Assert.Contains("yolov3-tiny", result.Output);
        Assert.Contains("darknet53", result.Output);
    }

    [Fact]
    public void HashMismatchGivesExpectedAndActual()
    {
        var mirror = _fixture.ServeTiny("mismatch");
        var wrong = new string('0', 64);
        var app = _fixture.CreateProject("MismatchApp", _fixture.NewDirectory("mismatch-cache"),
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{wrong}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
        var result = app.Build();
        FailedWith(result, "DKN4001");
        Assert.Contains(wrong, result.Output);
        Assert.Contains(_fixture.Tiny.Sha256, result.Output);
    }

    [Fact]
    public void OfflineMissNamesTheFileToPlace()
    {
        var mirror = _fixture.ServeTiny("offline");
        var cache = _fixture.NewDirectory("offline-cache");
        var app = _fixture.CreateProject("OfflineApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""",
            $"<DarknetMirror>{mirror}</DarknetMirror><DarknetOffline>true</DarknetOffline>");
        var result = app.Build();
        FailedWith(result, "DKN4006");
        Assert.Contains(Path.Combine(cache, "weights"), result.Output);
        Assert.Contains("yolov3-tiny.weights", result.Output);
        Assert.Equal(0, _fixture.Server.RequestCount("offline/yolov3-tiny.weights"));
    }

    /// <summary>$(DarknetCacheDir) places the machine cache when DARKNET_CACHE_DIR is unset; the variable wins when both are set.</summary>
    [Fact]
    public void DarknetCacheDirPlacesTheCacheUnlessTheVariableIsSet()
    {
        var property = _fixture.NewDirectory("cachedir-property");
        var variable = _fixture.NewDirectory("cachedir-variable");
        // An empty DARKNET_CACHE_DIR counts as unset.
        var app = _fixture.CreateProject("CacheDirApp", "",
            """<DarknetModel Include="yolov3-tiny" />""",
            $"<DarknetCacheDir>{property}</DarknetCacheDir><DarknetOffline>true</DarknetOffline>");

        var fromProperty = app.Build();
        FailedWith(fromProperty, "DKN4006");
        Assert.Contains(Path.Combine(property, "weights"), fromProperty.Output);

        var fromVariable = TestProject.Run(_fixture, app.Directory, variable, "build", app.ProjectPath);
        FailedWith(fromVariable, "DKN4006");
        Assert.Contains(Path.Combine(variable, "weights"), fromVariable.Output);
        Assert.DoesNotContain(Path.Combine(property, "weights"), fromVariable.Output);
    }
}
