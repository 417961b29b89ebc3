using Darknet.Testing;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Darknet.Weights.Numpy;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>Format="onnx" and Format="safetensors" through a real dotnet build of the packed package.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class OnnxAndSafetensorsFormatTests
{
    private readonly EndToEndFixture _fixture;

    public OnnxAndSafetensorsFormatTests(EndToEndFixture fixture) => _fixture = fixture;

    [SkippableFact]
    public void A_custom_model_builds_as_onnx_and_as_safetensors()
    {
        var directory = _fixture.NewDirectory("formats");
        var layout = NetworkLayout.FromCfg(CustomModelTests.TinyCfg, "tiny.cfg");
        File.WriteAllText(Path.Combine(directory, "tiny.cfg"), CustomModelTests.TinyCfg);
        var size = DarknetConverter.ExpectedFileSize(layout, 20, null);
        File.WriteAllBytes(Path.Combine(directory, "mynet.weights"), SyntheticWeights.OfSize("mynet.weights", size, 3).Bytes);

        var app = _fixture.CreateProject("FormatsApp", _fixture.NewDirectory("formats-cache"), """
            <DarknetModel Include="mynet" WeightsFile="mynet.weights" Config="tiny.cfg" Format="ONNX" />
            <DarknetModel Include="mynet_st" WeightsFile="mynet.weights" Config="tiny.cfg" Format="safetensors" />
            """, directory: directory);
        Succeeded(app.Build());

        var onnx = File.ReadAllBytes(Path.Combine(app.BinDirectory, "mynet.onnx"));
        Assert.Equal(0x08, onnx[0]); // ModelProto field 1 (ir_version), a varint
        Assert.Contains("Darknet.Weights", System.Text.Encoding.ASCII.GetString(onnx, 0, 64));
        var layers = ModelFileReader.ReadFile(Path.Combine(app.BinDirectory, "mynet_st.safetensors"));
        Assert.Equal(LayerNaming.NamesFor(layout), layers.Select(l => l.Name));
    }

    /// <summary>
    /// A built-in model needs no Config: its graph comes from the cfg its description in code writes. The file the build
    /// places runs in ONNX Runtime, and it is byte for byte what the upstream yolov3-tiny.cfg exports with those weights
    /// and darknet's data/coco.names.
    /// </summary>
    [SkippableFact]
    public void A_built_in_model_builds_as_onnx_without_a_cfg()
    {
        var mirror = _fixture.ServeTiny("onnx-builtin");
        var app = _fixture.CreateProject("OnnxBuiltInApp", _fixture.NewDirectory("onnx-builtin-cache"),
            $"""<DarknetModel Include="yolov3-tiny" Format="onnx" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
        Succeeded(app.Build());

        var built = Path.Combine(app.BinDirectory, "yolov3-tiny.onnx");
        using (var session = new InferenceSession(built))
        {
            var input = new DenseTensor<float>(Enumerable.Repeat(0.5f, 3 * 64 * 96).ToArray(), new[] { 1, 3, 64, 96 });
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", input) });
            Assert.Equal(new[] { "yolo_16", "yolo_23" }, results.Select(r => r.Name));
            Assert.Equal(new[] { 1, 255, 2, 3 }, results.First().AsTensor<float>().Dimensions.ToArray());
            Assert.Equal(new[] { 1, 255, 4, 6 }, results.Last().AsTensor<float>().Dimensions.ToArray());
            Assert.Equal(File.ReadAllLines(SharedFiles.RequireData("coco.names")),
                System.Text.Json.JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap["names"]));
        }

        var upstream = SharedFiles.RequireCfg("yolov3-tiny.cfg");
        var weights = Path.Combine(_fixture.NewDirectory("onnx-builtin-reference"), _fixture.Tiny.FileName);
        File.WriteAllBytes(weights, _fixture.Tiny.Bytes);
        var reference = Path.ChangeExtension(weights, ".onnx");
        // The built-in carries COCO's names in its metadata: the reference gets darknet's own coco.names file.
        DarknetConverter.ConvertFile(NetworkLayout.FromCfgFile(upstream), weights, reference, new ConversionOptions
        {
            Format = OutputFormat.Onnx, ClassNames = Darknet.Weights.Labels.ClassNames.ReadFile(SharedFiles.RequireData("coco.names")),
        });
        // Equal but for producer_version (the packed package's version against this build's): ONNX's checker and
        // protobuf equality from python3-onnx, which test.sh installs.
        Skip.If(!Darknet.Testing.Numpy.CanImport("onnx") && Environment.GetEnvironmentVariable("CI") != "true", "python3-onnx is not installed");
        var printed = Darknet.Testing.Numpy.RunScript("""
            import sys, onnx
            built, reference = onnx.load(sys.argv[1]), onnx.load(sys.argv[2])
            onnx.checker.check_model(built, full_check=True)
            built.producer_version = reference.producer_version
            print(built.SerializeToString() == reference.SerializeToString(), len(built.graph.node), len(built.graph.initializer))
            """, built, reference);
        Assert.StartsWith("True ", printed.Trim());
    }

    /// <summary>Refused when the item is read, before any download: a partial backbone is no runnable network.</summary>
    [Fact]
    public void Onnx_for_a_partial_backbone_is_DKN2014()
    {
        var requestsBefore = _fixture.Server.TotalRequests;
        var app = _fixture.CreateProject("OnnxPartialApp", _fixture.NewDirectory("onnx-partial-cache"),
            """<DarknetModel Include="darknet53.conv.74" Format="onnx" />""", properties: $"<DarknetMirror>{_fixture.Server.Url("onnx-partial/")}</DarknetMirror>");
        var result = app.Build();
        FailedWith(result, ErrorCodes.NoRunnableNetwork);
        Assert.Contains("is a partial backbone", result.Output);
        Assert.Equal(requestsBefore, _fixture.Server.TotalRequests);
    }
}
