using System.Text.Json;
using Darknet.Cache;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Build.Tasks;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>Names="obj.names" on a DarknetModel: the class names the ONNX model carries in its metadata, through a real dotnet build.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ClassNamesTests
{
    /// <summary>A small detector with one [yolo] layer of 3 classes (24 = 3 anchors × (5 + 3) filters).</summary>
    private const string DetectorCfg = """
        [net]
        width=32
        height=32
        channels=3

        [convolutional]
        batch_normalize=1
        filters=8
        size=3
        stride=2
        pad=1
        activation=leaky

        [convolutional]
        filters=24
        size=1
        stride=1
        pad=1
        activation=linear

        [yolo]
        mask=0,1,2
        anchors=10,14, 23,27, 37,58
        classes=3
        num=3
        """;

    private readonly EndToEndFixture _fixture;

    public ClassNamesTests(EndToEndFixture fixture) => _fixture = fixture;

    private static void WriteDetector(string directory, string names)
    {
        File.WriteAllText(Path.Combine(directory, "obj.cfg"), DetectorCfg);
        var size = DarknetConverter.ExpectedFileSize(NetworkLayout.FromCfg(DetectorCfg, "obj.cfg"), 20, null);
        File.WriteAllBytes(Path.Combine(directory, "mynet.weights"), SyntheticWeights.OfSize("mynet.weights", size, 5).Bytes);
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        File.WriteAllText(Path.Combine(directory, "data", "obj.names"), names);
    }

    private const string Item = """<DarknetModel Include="mynet" Config="obj.cfg" WeightsFile="mynet.weights" Names="data/obj.names" Format="onnx" />""";

    /// <summary>The names reach the model; editing the names file (same count, other names) converts again.</summary>
    [SkippableFact]
    public void The_names_file_goes_into_the_onnx_model_and_an_edit_converts_again()
    {
        var directory = _fixture.NewDirectory("names");
        WriteDetector(directory, "cat\ndog\n\"red\" fox\n");
        var app = _fixture.CreateProject("NamesApp", _fixture.NewDirectory("names-cache"), Item, directory: directory);

        Succeeded(app.Build());
        var model = Path.Combine(app.BinDirectory, "mynet.onnx");
        Assert.Equal(new[] { "cat", "dog", "\"red\" fox" }, NamesIn(model, out var metadata));
        Assert.Equal("3", metadata["classes"]);
        Assert.Equal("32x32", metadata["input_size"]);
        Assert.Equal("layers", metadata["outputs"]);

        File.WriteAllText(Path.Combine(directory, "data", "obj.names"), "Katze\nHund\nFuchs\n");
        var rebuilt = app.Build();
        Succeeded(rebuilt);
        Assert.Contains("Converting mynet.weights to mynet.onnx", rebuilt.Output);
        Assert.Equal(new[] { "Katze", "Hund", "Fuchs" }, NamesIn(model, out _));
    }

    [Fact]
    public void A_count_other_than_the_cfgs_classes_fails_the_build_with_DKN1008()
    {
        var directory = _fixture.NewDirectory("names-count");
        WriteDetector(directory, "cat\ndog\n");
        var app = _fixture.CreateProject("NamesCountApp", _fixture.NewDirectory("names-count-cache"), Item, directory: directory);

        var result = app.Build();

        FailedWith(result, ErrorCodes.BadNames);
        Assert.Contains(Path.Combine(directory, "data", "obj.names") + " holds 2 names, but the network has classes=3 in [yolo] layer 2 (" + Path.Combine(directory, "obj.cfg") + ", line 21)", result.Output);
        Assert.False(File.Exists(Path.Combine(app.ObjModelDirectory, "mynet.onnx")), "nothing under the final name");
    }

    [Fact]
    public void A_missing_names_file_is_DKN5005()
    {
        var directory = _fixture.NewDirectory("names-missing");
        WriteDetector(directory, "cat\ndog\nfox\n");
        File.Delete(Path.Combine(directory, "data", "obj.names"));
        var app = _fixture.CreateProject("NamesMissingApp", _fixture.NewDirectory("names-missing-cache"), Item, directory: directory);

        var result = app.Build();

        FailedWith(result, TaskErrorCodes.LocalFileNotFound);
        Assert.Contains("Names " + Path.Combine(directory, "data", "obj.names") + " does not exist.", result.Output);
    }

    [Fact]
    public void Names_on_a_format_without_metadata_is_DKN5003()
    {
        var directory = _fixture.NewDirectory("names-npy");
        WriteDetector(directory, "cat\ndog\nfox\n");
        var app = _fixture.CreateProject("NamesNpyApp", _fixture.NewDirectory("names-npy-cache"),
            """<DarknetModel Include="mynet" Config="obj.cfg" WeightsFile="mynet.weights" Names="data/obj.names" Format="npz" />""", directory: directory);

        var result = app.Build();

        FailedWith(result, TaskErrorCodes.InvalidMetadata);
        Assert.Contains("sets Names, but Format=\"npz\" has no metadata to carry them", result.Output);
    }

    private static string[] NamesIn(string model, out Dictionary<string, string> metadata)
    {
        using var session = new InferenceSession(model);
        metadata = new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap);
        return JsonSerializer.Deserialize<string[]>(metadata["names"])!;
    }
}
