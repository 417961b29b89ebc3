using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Darknet.Weights.Numpy;
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

    /// <summary>Refused when the item is read, before any download: the graph needs the cfg.</summary>
    [Fact]
    public void Onnx_for_a_built_in_model_without_its_cfg_is_DKN2014()
    {
        var requestsBefore = _fixture.Server.TotalRequests;
        var app = _fixture.CreateProject("OnnxBuiltInApp", _fixture.NewDirectory("onnx-builtin-cache"),
            """<DarknetModel Include="yolov3-tiny" Format="onnx" />""", properties: $"<DarknetMirror>{_fixture.Server.Url("onnx-builtin/")}</DarknetMirror>");
        var result = app.Build();
        FailedWith(result, ErrorCodes.OnnxNeedsCfg);
        Assert.Contains("without Config", result.Output);
        Assert.Equal(requestsBefore, _fixture.Server.TotalRequests);
    }
}
