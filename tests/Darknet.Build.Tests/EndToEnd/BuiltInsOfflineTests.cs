using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// The YOLOv4, Scaled-YOLOv4, YOLOv7 and YOLOv2-tiny built-ins through one real `dotnet build`, offline with an empty
/// cache: each item fails on its own with DKN4006, naming the file to place, its exact size and its pinned hash (or that
/// none is published), and where it is served.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BuiltInsOfflineTests
{
    private readonly EndToEndFixture _fixture;

    public BuiltInsOfflineTests(EndToEndFixture fixture) => _fixture = fixture;

    [Fact]
    public void Each_built_in_names_its_exact_size_and_hash_when_offline()
    {
        var cache = _fixture.NewDirectory("built-ins-offline-cache");
        var app = _fixture.CreateProject("BuiltInsOfflineApp", cache,
            """
            <DarknetModel Include="yolov4" />
            <DarknetModel Include="yolov4_tiny" />
            <DarknetModel Include="yolov4.conv.137" />
            <DarknetModel Include="yolov4-csp" />
            <DarknetModel Include="yolov4x-mish" />
            <DarknetModel Include="yolov7-tiny" />
            <DarknetModel Include="yolov7" />
            <DarknetModel Include="yolov7x" />
            <DarknetModel Include="yolov2_tiny" />
            """,
            "<DarknetOffline>true</DarknetOffline>");

        var result = app.Build();

        FailedWith(result, "DKN4006");
        var errors = result.Output.Split('\n').Select(l => l.Trim())
            .Where(l => l.Contains("error DKN4006:", StringComparison.Ordinal)).Distinct().ToList();
        AssertOfflineMiss(errors, "'yolov4'", "yolov4.weights",
            "257717640 bytes, SHA-256 e8a4f6c62188738d86dc6898d82724ec0964d0eb9d2ae0f0a9d53d65d108d562",
            "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v3_optimal/yolov4.weights");
        AssertOfflineMiss(errors, "'yolov4_tiny'", "yolov4-tiny.weights", "24251276 bytes, no published hash",
            "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v4_pre/yolov4-tiny.weights");
        AssertOfflineMiss(errors, "'yolov4.conv.137'", "yolov4.conv.137", "170038676 bytes, no published hash",
            "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v3_optimal/yolov4.conv.137");
        AssertOfflineMiss(errors, "'yolov4-csp'", "yolov4-csp.weights", "211944840 bytes, no published hash",
            "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v4_pre/yolov4-csp.weights");
        AssertOfflineMiss(errors, "'yolov4x-mish'", "yolov4x-mish.weights", "399388168 bytes, no published hash",
            "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v4_pre/yolov4x-mish.weights");
        AssertOfflineMiss(errors, "'yolov7-tiny'", "yolov7-tiny.weights", "24967560 bytes, no published hash",
            "https://github.com/AlexeyAB/darknet/releases/download/yolov4/yolov7-tiny.weights");
        AssertOfflineMiss(errors, "'yolov7'", "yolov7.weights", "147898248 bytes, no published hash",
            "https://github.com/AlexeyAB/darknet/releases/download/yolov4/yolov7.weights");
        AssertOfflineMiss(errors, "'yolov7x'", "yolov7x.weights", "285638760 bytes, no published hash",
            "https://github.com/AlexeyAB/darknet/releases/download/yolov4/yolov7x.weights");
        AssertOfflineMiss(errors, "'yolov2_tiny'", "yolov2-tiny.weights", "44948600 bytes, no published hash",
            "https://data.pjreddie.com/files/yolov2-tiny.weights");
        Assert.Equal(9, errors.Count);
        Assert.Contains(Path.Combine(cache, "weights"), result.Output);
        Assert.True(!Directory.Exists(app.BinDirectory) || Directory.GetFiles(app.BinDirectory, "*.npy").Length == 0);
    }

    private static void AssertOfflineMiss(List<string> errors, string item, string file, string identity, string firstUrl)
    {
        var line = Assert.Single(errors, l => l.Contains("DarknetModel " + item + ":", StringComparison.Ordinal));
        Assert.Contains(file + " is not in the machine cache", line);
        Assert.Contains("(" + identity + ")", line);
        Assert.Contains("downloaded from " + firstUrl, line);
    }
}
