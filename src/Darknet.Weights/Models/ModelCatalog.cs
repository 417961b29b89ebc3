using System;
using System.Collections.Generic;
using System.Linq;
using Darknet.Weights.Labels;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;

namespace Darknet.Weights.Models;

/// <summary>The built-in models, found by name or alias (case-insensitive).</summary>
internal static class ModelCatalog
{
    private const string PjReddie = "https://pjreddie.com/media/files/";
    private const string PjReddieData = "https://data.pjreddie.com/files/";
    private const string AlexeyAbYoloV3 = "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v3_optimal/";
    private const string AlexeyAbYoloV4Pre = "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v4_pre/";
    private const string HankAi = "https://github.com/hank-ai/darknet/releases/download/v2.0/";
    private const string AlexeyAbYoloV4 = "https://github.com/AlexeyAB/darknet/releases/download/yolov4/";
    private const string WongKinYiuYoloV7 = "https://github.com/WongKinYiu/yolov7/releases/download/v0.1/";

    public static IReadOnlyList<BuiltInModel> All { get; } = new[]
    {
        new BuiltInModel(
            "yolov3", new[] { "yolo" }, "yolov3.weights", "yolov3",
            weightsSize: 248_007_048, sha1: "520878f12e97cf820529daea502acca380f1cb8e",
            sha256: new[] { "523e4e69e1d015393a1b0a441cef1d9c7659e3eb2d7e15f793f060a21b32f297" },
            urls: new[] { PjReddie + "yolov3.weights", AlexeyAbYoloV3 + "yolov3.weights", HankAi + "yolov3.weights", PjReddieData + "yolov3.weights" },
            layerLimit: null, layout: () => YoloV3.Full(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
        new BuiltInModel(
            "darknet53_448", new[] { "darknet53", "darknet" }, "darknet53_448.weights", "darknet53_448",
            weightsSize: 166_582_580, sha1: null,
            urls: new[] { PjReddie + "darknet53_448.weights", PjReddieData + "darknet53_448.weights" },
            layerLimit: null, layout: () => Darknet53.Classifier(), layerNames: LayerNaming.NamesFor),
        new BuiltInModel(
            "yolov3_feat", new string[0], "darknet53_448.weights", "yolov3_feat",
            weightsSize: 166_582_580, sha1: null,
            urls: new[] { PjReddie + "darknet53_448.weights", PjReddieData + "darknet53_448.weights" },
            layerLimit: 52, layout: () => Darknet53.Classifier(), layerNames: _ => LayerNaming.Darknet53FeatureNames(),
            notRunnable: "it is darknet53_448's first 52 convolutions as named arrays for Python model code; the runnable network is darknet53_448"),
        new BuiltInModel(
            "yolov3-tiny", new[] { "yolov3_tiny" }, "yolov3-tiny.weights", "yolov3-tiny",
            weightsSize: 35_434_956, sha1: null,
            sha256: new[] { "dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c" },
            urls: new[] { PjReddie + "yolov3-tiny.weights", AlexeyAbYoloV3 + "yolov3-tiny.weights", HankAi + "yolov3-tiny.weights", PjReddieData + "yolov3-tiny.weights" },
            layerLimit: null, layout: () => YoloV3.Tiny(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
        new BuiltInModel(
            "yolov3-spp", new[] { "yolov3_spp" }, "yolov3-spp.weights", "yolov3-spp",
            weightsSize: 252_209_544, sha1: null,
            sha256: new[] { "87a1e8c85c763316f34e428f2295e1db9ed4abcec59dd9544f8052f50de327b4" },
            urls: new[] { PjReddie + "yolov3-spp.weights", PjReddieData + "yolov3-spp.weights" },
            layerLimit: null, layout: () => YoloV3.Spp(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
        // A dotted OutputName would lose ".74" to every "strip the extension" call, hence darknet53_conv74.
        new BuiltInModel(
            "darknet53.conv.74", new[] { "darknet53_conv74", "darknet53-conv74" }, "darknet53.conv.74", "darknet53_conv74",
            weightsSize: 162_482_580, sha1: null,
            urls: new[] { PjReddie + "darknet53.conv.74", PjReddieData + "darknet53.conv.74" },
            layerLimit: null, layout: () => Darknet53.Conv74(), layerNames: _ => LayerNaming.Darknet53FeatureNames(),
            notRunnable: "it is a partial backbone (layers 0..73 of Darknet-53) that darknet trains YOLOv3 from, not a runnable detector; the runnable networks are yolov3 and darknet53_448"),
        new BuiltInModel(
            "yolov3-openimages", new[] { "yolov3_openimages" }, "yolov3-openimages.weights", "yolov3-openimages",
            weightsSize: 259_229_388, sha1: null,
            urls: new[] { PjReddie + "yolov3-openimages.weights", PjReddieData + "yolov3-openimages.weights" },
            layerLimit: null, layout: () => YoloV3.Full(classes: 601), layerNames: LayerNaming.NamesFor, classNames: ClassNames.OpenImages),
        // Written by darknet 0.1: a 16-byte header (32-bit "seen").
        new BuiltInModel(
            "yolov2", new string[0], "yolov2.weights", "yolov2",
            weightsSize: 203_934_260, sha1: null,
            sha256: new[] { "d9945162ed6f54ce1a901e3ec537bdba4d572ecae7873087bd730e5a7942df3f" },
            urls: new[] { PjReddie + "yolov2.weights", HankAi + "yolov2.weights", PjReddieData + "yolov2.weights" },
            layerLimit: null, layout: () => YoloV2.Full(), layerNames: LayerNaming.NamesFor, headerSize: 16, classNames: ClassNames.Coco),
        // AlexeyAB's YOLOv4 files: his releases first, then the hank-ai fork's, then pjreddie's hosts (which scripts
        // name for them; the downloader moves on when a host fails or serves something else).
        new BuiltInModel(
            "yolov4", new string[0], "yolov4.weights", "yolov4",
            weightsSize: 257_717_640, sha1: null,
            urls: new[] { AlexeyAbYoloV3 + "yolov4.weights", HankAi + "yolov4.weights", PjReddieData + "yolov4.weights", PjReddie + "yolov4.weights" },
            layerLimit: null, layout: () => YoloV4.Full(), layerNames: LayerNaming.NamesFor,
            sha256: new[] { "e8a4f6c62188738d86dc6898d82724ec0964d0eb9d2ae0f0a9d53d65d108d562" }, classNames: ClassNames.Coco),
        // One published SHA-256 only: the exact size is checked, no hash pinned.
        new BuiltInModel(
            "yolov4-tiny", new[] { "yolov4_tiny" }, "yolov4-tiny.weights", "yolov4-tiny",
            weightsSize: 24_251_276, sha1: null,
            urls: new[] { AlexeyAbYoloV4Pre + "yolov4-tiny.weights", HankAi + "yolov4-tiny.weights", PjReddieData + "yolov4-tiny.weights", PjReddie + "yolov4-tiny.weights" },
            layerLimit: null, layout: () => YoloV4.Tiny(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
        // Layers 0..136 of yolov4 (AlexeyAB's partial … 137), the file YOLOv4 training starts from.
        new BuiltInModel(
            "yolov4.conv.137", new[] { "yolov4_conv137", "yolov4-conv137" }, "yolov4.conv.137", "yolov4_conv137",
            weightsSize: 170_038_676, sha1: null,
            urls: new[] { AlexeyAbYoloV3 + "yolov4.conv.137" },
            layerLimit: null, layout: () => YoloV4.Conv137(), layerNames: LayerNaming.NamesFor,
            notRunnable: "it is a partial backbone (layers 0..136 of YOLOv4) that darknet trains YOLOv4 from, not a runnable detector; the runnable network is yolov4"),
        // Scaled-YOLOv4 and YOLOv7: AlexeyAB's releases, then (the YOLOv7 files) the YOLOv7 authors' release. No SHA-256
        // is published for any of them: the exact size is checked alone.
        new BuiltInModel(
            "yolov4-csp", new[] { "yolov4_csp" }, "yolov4-csp.weights", "yolov4-csp",
            weightsSize: 211_944_840, sha1: null,
            urls: new[] { AlexeyAbYoloV4Pre + "yolov4-csp.weights" },
            layerLimit: null, layout: () => ScaledYoloV4.Csp(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
        new BuiltInModel(
            "yolov4x-mish", new[] { "yolov4x_mish" }, "yolov4x-mish.weights", "yolov4x-mish",
            weightsSize: 399_388_168, sha1: null,
            urls: new[] { AlexeyAbYoloV4Pre + "yolov4x-mish.weights" },
            layerLimit: null, layout: () => ScaledYoloV4.XMish(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
        new BuiltInModel(
            "yolov7-tiny", new[] { "yolov7_tiny" }, "yolov7-tiny.weights", "yolov7-tiny",
            weightsSize: 24_967_560, sha1: null,
            urls: new[] { AlexeyAbYoloV4 + "yolov7-tiny.weights", WongKinYiuYoloV7 + "yolov7-tiny.weights" },
            layerLimit: null, layout: () => YoloV7.Tiny(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
        new BuiltInModel(
            "yolov7", new string[0], "yolov7.weights", "yolov7",
            weightsSize: 147_898_248, sha1: null,
            urls: new[] { AlexeyAbYoloV4 + "yolov7.weights", WongKinYiuYoloV7 + "yolov7.weights" },
            layerLimit: null, layout: () => YoloV7.Full(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
        new BuiltInModel(
            "yolov7x", new string[0], "yolov7x.weights", "yolov7x",
            weightsSize: 285_638_760, sha1: null,
            urls: new[] { AlexeyAbYoloV4 + "yolov7x.weights", WongKinYiuYoloV7 + "yolov7x.weights" },
            layerLimit: null, layout: () => YoloV7.X(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
        // pjreddie's file, with the 20-byte header (its size says so: 20 + 4 × the layout's floats), served by his hosts and the hank-ai fork.
        new BuiltInModel(
            "yolov2-tiny", new[] { "yolov2_tiny" }, "yolov2-tiny.weights", "yolov2-tiny",
            weightsSize: 44_948_600, sha1: null,
            urls: new[] { PjReddieData + "yolov2-tiny.weights", HankAi + "yolov2-tiny.weights", PjReddie + "yolov2-tiny.weights" },
            layerLimit: null, layout: () => YoloV2.Tiny(), layerNames: LayerNaming.NamesFor, classNames: ClassNames.Coco),
    };

    /// <summary>The model whose name or alias is <paramref name="nameOrAlias"/> (case-insensitive), or null.</summary>
    public static BuiltInModel? Find(string nameOrAlias)
    {
        if (string.IsNullOrWhiteSpace(nameOrAlias)) return null;
        var key = nameOrAlias.Trim();
        return All.FirstOrDefault(m => Same(m.Name, key) || m.Aliases.Any(a => Same(a, key)));
    }

    /// <summary>DKN2007 for a name that is no built-in: the nearest one when it looks like a typo, and the known names.</summary>
    public static DarknetException Unknown(string name)
    {
        var nearest = NearestModelName.Suggest(name);
        return new DarknetException(ErrorCodes.UnknownBuiltInModel,
            $"unknown model '{name}'" + (nearest != null ? $": did you mean '{nearest}'?" : "") + $"; built in: {string.Join(", ", All.Select(m => m.Name))}");
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
