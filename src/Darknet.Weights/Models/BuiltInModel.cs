using System;
using System.Collections.Generic;
using Darknet.Weights.Labels;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Models;

/// <summary>
/// A network this project knows without a cfg: where its published .weights file lives, how to check it, its layout
/// (described in code) and the names of the layers it converts.
/// </summary>
internal sealed class BuiltInModel
{
    private readonly Lazy<NetworkLayout> _layout;
    private readonly Func<NetworkLayout, IReadOnlyList<string>> _layerNames;
    private IReadOnlyList<string>? _names;

    internal BuiltInModel(
        string name,
        string[] aliases,
        string weightsFileName,
        string outputName,
        long weightsSize,
        string? sha1,
        string[] urls,
        int? layerLimit,
        Func<NetworkLayout> layout,
        Func<NetworkLayout, IReadOnlyList<string>> layerNames,
        int headerSize = 20,
        string[]? sha256 = null,
        string? notRunnable = null,
        ClassNames? classNames = null)
    {
        Name = name;
        Aliases = aliases;
        WeightsFileName = weightsFileName;
        OutputName = outputName;
        WeightsSize = weightsSize;
        Sha1 = sha1;
        AcceptedSha256 = sha256 ?? new string[0];
        Urls = urls;
        LayerLimit = layerLimit;
        HeaderSize = headerSize;
        _layout = new Lazy<NetworkLayout>(layout);
        _layerNames = layerNames;
        NotRunnable = notRunnable;
        ClassNames = classNames;
    }

    /// <summary>The name users write: <c>&lt;DarknetModel Include="yolov3" /&gt;</c>, <c>darknet convert --model yolov3</c>.</summary>
    public string Name { get; }

    /// <summary>Other names accepted for it (compared case-insensitively, like <see cref="Name"/>).</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>The published .weights file's name, e.g. "darknet53_448.weights".</summary>
    public string WeightsFileName { get; }

    /// <summary>The converted file's name without extension, e.g. "yolov3_feat" for yolov3_feat.npy.</summary>
    public string OutputName { get; }

    /// <summary>Size in bytes of the published .weights file: <see cref="HeaderSize"/> plus 4 bytes per float the layout reads.</summary>
    public long WeightsSize { get; }

    /// <summary>
    /// Bytes of the published file's header: 20 for files darknet 0.2 and later wrote (a 64-bit "seen"), 16 for older
    /// ones (yolov2.weights, version 0.1).
    /// </summary>
    public int HeaderSize { get; }

    public string? Sha1 { get; }

    /// <summary>
    /// The SHA-256 digests the file may have: a download matching any one of them is accepted. More than one where a
    /// file was replaced upstream by another of the same name and size and every version is known good. Pinned only
    /// where two or more independent sources publish the same value; empty rather
    /// than a guess otherwise, and the exact size is checked alone.
    /// </summary>
    public IReadOnlyList<string> AcceptedSha256 { get; }

    /// <summary>Where to download the .weights file, in order of preference.</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary>Convert only the first N weighted layers of the file (yolov3_feat: 52); null = all of them.</summary>
    public int? LayerLimit { get; }

    /// <summary>The layout of the whole .weights file (for yolov3_feat: the full Darknet-53 classifier).</summary>
    public NetworkLayout Layout => _layout.Value;

    /// <summary>The names of the layers this model writes, in file order: one per converted layer.</summary>
    public IReadOnlyList<string> LayerNames => _names ??= _layerNames(Layout);

    /// <summary>
    /// The layout a conversion to <paramref name="format"/> reads: <see cref="Layout"/>, except that a file which is no
    /// runnable network cannot be exported to ONNX (DKN2014, saying why).
    /// </summary>
    public NetworkLayout LayoutFor(OutputFormat format)
    {
        if (format == OutputFormat.Onnx && NotRunnable != null)
            throw new DarknetException(ErrorCodes.NoRunnableNetwork, $"{Name} cannot be exported to ONNX: {NotRunnable}");
        return Layout;
    }

    /// <summary>Why this file has no forward pass of its own (a partial backbone, a layer subset); null for a whole network.</summary>
    public string? NotRunnable { get; }

    /// <summary>
    /// The classes the published weights were trained on, in class order (<see cref="Labels.ClassNames.Coco"/> for
    /// the YOLO detectors); null where this project ships no list (darknet53_448's ImageNet classes) and for files
    /// that are no runnable network.
    /// </summary>
    public ClassNames? ClassNames { get; }

    public override string ToString() => Name;
}
