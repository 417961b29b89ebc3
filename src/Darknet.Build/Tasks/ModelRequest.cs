using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.Models;
using Darknet.Weights.Onnx;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Darknet.Build.Tasks;

/// <summary>
/// One &lt;DarknetModel&gt; item after its metadata has been checked and its defaults filled in: what to fetch, how to
/// lay it out, what to write where. Travels from the resolve task to the acquire task as the resolved item's metadata.
/// </summary>
internal sealed class ModelRequest
{
    public string Name = "";
    /// <summary>Set when the layout (and, unless overridden, the weights' URLs, size and hashes) come from the catalog.</summary>
    public BuiltInModel? BuiltIn;
    public string OutputName = "";
    public OutputFormat Format = OutputFormat.Npy;
    public string As = "Content";
    public string LogicalName = "";
    public string CopyToOutputDirectory = "PreserveNewest";
    public int? Layers;
    public string? WeightsUrl;
    /// <summary>Full path of a local .weights file.</summary>
    public string? WeightsFile;
    /// <summary>Full path of a local .cfg, or an http(s) URL.</summary>
    public string? Config;
    /// <summary>Full path of a local .names file: the ONNX model's class names (a built-in model's own otherwise).</summary>
    public string? Names;
    /// <summary>Lower-case hex; pins the weights (replacing the catalog's size and hashes).</summary>
    public string? Sha256;
    /// <summary>An ONNX model's outputs (OnnxOutputs="layers|boxes|detections").</summary>
    public OnnxOutputs OnnxOutputs = OnnxOutputs.Layers;
    /// <summary>An ONNX model's input size (OnnxInputSize="416x416"): the network at that size, the input pinned to it.</summary>
    public (int Width, int Height)? OnnxInputSize;
    /// <summary>Full path of the file this project gets under obj/.</summary>
    public string OutputPath = "";
    /// <summary>The project file that declared the item: where its errors point.</summary>
    public string DefiningProject = "";

    public string OutputFileName => OutputName + OutputFormats.Extension(Format);
    public string OnnxInputSizeText => OnnxInputSize is { } size ? size.Width.ToString(CultureInfo.InvariantCulture) + "x" + size.Height.ToString(CultureInfo.InvariantCulture) : "";
    public bool ConfigIsUrl => Config != null && ConfigSource.IsUrl(Config);
    public int? LayerLimit => Layers ?? (Config == null ? BuiltIn?.LayerLimit : null);

    public static ModelRequest FromDarknetModel(ITaskItem item, string intermediateDirectory, string projectDirectory)
    {
        var request = new ModelRequest { Name = item.ItemSpec.Trim(), DefiningProject = item.GetMetadata("DefiningProjectFullPath") };
        request.WeightsUrl = Optional(item, "WeightsUrl");
        request.WeightsFile = FullPath(Optional(item, "WeightsFile"), projectDirectory);
        var config = Optional(item, "Config");
        request.Config = config == null || ConfigSource.IsUrl(config) ? config : FullPath(config, projectDirectory);
        request.Names = FullPath(Optional(item, "Names"), projectDirectory);

        if (request.WeightsUrl != null && request.WeightsFile != null)
            throw Invalid(TaskErrorCodes.ConflictingMetadata, request.Name, "sets both WeightsUrl and WeightsFile; keep one");
        if (request.WeightsUrl != null && !IsUrl(request.WeightsUrl))
            throw Invalid(TaskErrorCodes.InvalidMetadata, request.Name, $"WeightsUrl '{SafeUrl.RedactText(request.WeightsUrl)}' is not an http(s) URL");

        var builtIn = ModelCatalog.Find(request.Name);
        if (request.Config == null)
        {
            var nearest = NearestModelName.Suggest(request.Name);
            request.BuiltIn = builtIn ?? throw new DarknetException(TaskErrorCodes.UnknownModel,
                $"DarknetModel '{request.Name}' is not a built-in model" +
                (nearest != null ? $": did you mean '{nearest}'? (<DarknetModel Include=\"{nearest}\" />)" : ".") +
                $" Known models: {KnownNames()}. " +
                "For your own network set Config (a .cfg path or URL) and WeightsUrl or WeightsFile.");
        }
        else
        {
            // A custom layout: the catalog's file identity does not apply, but a built-in name may still give the URLs.
            request.BuiltIn = null;
            if (request.WeightsUrl == null && request.WeightsFile == null)
                throw new DarknetException(TaskErrorCodes.NoWeightsSource,
                    $"DarknetModel '{request.Name}' sets Config but no weights: set WeightsUrl or WeightsFile.");
        }

        request.Format = ParseFormat(request.Name, item.GetMetadata("Format"));
        // Every built-in but a partial backbone is a runnable network (BuiltInModel.NotRunnable says why not).
        if (request.Format == OutputFormat.Onnx && request.Config == null && request.BuiltIn!.NotRunnable != null)
            throw Invalid(ErrorCodes.NoRunnableNetwork, request.Name,
                $"asks for Format=\"onnx\", but {request.BuiltIn.Name} cannot be exported to ONNX: {request.BuiltIn.NotRunnable}");
        if (request.Names != null && request.Format != OutputFormat.Onnx)
            throw Invalid(TaskErrorCodes.InvalidMetadata, request.Name,
                $"sets Names, but Format=\"{OutputFormats.Name(request.Format)}\" has no metadata to carry them: class names go into an ONNX model (Format=\"onnx\")");
        request.OnnxOutputs = ParseOnnxOutputs(request.Name, item.GetMetadata("OnnxOutputs"));
        request.OnnxInputSize = ParseOnnxInputSize(request.Name, item.GetMetadata("OnnxInputSize"));
        if (request.Format != OutputFormat.Onnx && (request.OnnxOutputs != OnnxOutputs.Layers || request.OnnxInputSize != null))
            throw Invalid(TaskErrorCodes.InvalidMetadata, request.Name,
                $"sets {(request.OnnxInputSize != null ? "OnnxInputSize" : "OnnxOutputs")}, which applies to Format=\"onnx\" only (it has Format=\"{OutputFormats.Name(request.Format)}\")");
        request.As = ParseAs(request.Name, item.GetMetadata("As"));
        request.Layers = ParseLayers(request.Name, item.GetMetadata("Layers"));
        request.Sha256 = ParseSha256(request.Name, item.GetMetadata("Sha256"));
        request.CopyToOutputDirectory = Optional(item, "CopyToOutputDirectory") ?? "PreserveNewest";

        request.OutputName = Optional(item, "OutputName") ?? request.BuiltIn?.OutputName ?? request.Name;
        if (request.OutputName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw Invalid(TaskErrorCodes.InvalidMetadata, request.Name, $"OutputName '{request.OutputName}' is not a valid file name");
        request.LogicalName = Optional(item, "LogicalName") ?? request.OutputFileName;
        request.OutputPath = Path.Combine(intermediateDirectory, request.OutputFileName);
        return request;
    }

    public static ModelRequest FromResolvedItem(ITaskItem item)
    {
        var builtInName = Optional(item, "BuiltInName");
        return new ModelRequest
        {
            Name = item.GetMetadata("ModelName"),
            BuiltIn = builtInName == null ? null : ModelCatalog.Find(builtInName),
            OutputName = item.GetMetadata("OutputName"),
            Format = ParseFormat(item.GetMetadata("ModelName"), item.GetMetadata("Format")),
            As = item.GetMetadata("As"),
            LogicalName = item.GetMetadata("LogicalName"),
            CopyToOutputDirectory = item.GetMetadata("CopyToOutputDirectory"),
            Layers = ParseLayers(item.GetMetadata("ModelName"), item.GetMetadata("Layers")),
            OnnxOutputs = ParseOnnxOutputs(item.GetMetadata("ModelName"), item.GetMetadata("OnnxOutputs")),
            OnnxInputSize = ParseOnnxInputSize(item.GetMetadata("ModelName"), item.GetMetadata("OnnxInputSize")),
            WeightsUrl = Optional(item, "WeightsUrl"),
            WeightsFile = Optional(item, "WeightsFile"),
            Config = Optional(item, "Config"),
            Names = Optional(item, "Names"),
            Sha256 = Optional(item, "Sha256"),
            OutputPath = item.ItemSpec,
            DefiningProject = item.GetMetadata("DefiningProject"),
        };
    }

    public ITaskItem ToResolvedItem(string version)
    {
        var item = new TaskItem(OutputPath);
        item.SetMetadata("ModelName", Name);
        item.SetMetadata("BuiltInName", BuiltIn?.Name ?? "");
        item.SetMetadata("OutputName", OutputName);
        item.SetMetadata("Format", OutputFormats.Name(Format));
        item.SetMetadata("As", As);
        item.SetMetadata("LogicalName", LogicalName);
        item.SetMetadata("CopyToOutputDirectory", CopyToOutputDirectory);
        item.SetMetadata("Layers", Layers?.ToString(CultureInfo.InvariantCulture) ?? "");
        item.SetMetadata("OnnxOutputs", OnnxExportOptions.Name(OnnxOutputs));
        item.SetMetadata("OnnxInputSize", OnnxInputSizeText);
        item.SetMetadata("WeightsUrl", WeightsUrl ?? "");
        item.SetMetadata("WeightsFile", WeightsFile ?? "");
        item.SetMetadata("Config", Config ?? "");
        item.SetMetadata("Names", Names ?? "");
        item.SetMetadata("Sha256", Sha256 ?? "");
        item.SetMetadata("DefiningProject", DefiningProject);
        // Everything that decides the output's bytes, plus the package version: the stamp's line for this item.
        // URLs without their credentials: the stamp is a file in obj/.
        item.SetMetadata("Stamp", string.Join("|", new[]
        {
            Name, BuiltIn?.Name ?? "", OutputPath, item.GetMetadata("Format"), item.GetMetadata("Layers"),
            item.GetMetadata("OnnxOutputs"), OnnxInputSizeText,
            SafeUrl.RedactText(WeightsUrl ?? ""), WeightsFile ?? "", SafeUrl.RedactText(Config ?? ""), Names ?? "", Sha256 ?? "", version,
        }));
        return item;
    }

    public static string KnownNames() =>
        string.Join(", ", ModelCatalog.All.Select(m => m.Aliases.Count == 0 ? m.Name : m.Name + " (" + string.Join(", ", m.Aliases) + ")"));

    public static bool IsUrl(string value) => SafeUrl.IsHttp(value);

    private static string? Optional(ITaskItem item, string name)
    {
        var value = item.GetMetadata(name).Trim();
        return value.Length == 0 ? null : value;
    }

    private static string? FullPath(string? path, string projectDirectory) =>
        path == null ? null : Path.GetFullPath(Path.Combine(projectDirectory, path));

    private static OutputFormat ParseFormat(string name, string value)
    {
        if (value.Trim().Length == 0) return OutputFormat.Npy;
        if (OutputFormats.TryParse(value, out var format)) return format;
        throw Invalid(TaskErrorCodes.InvalidMetadata, name, $"Format '{value}' is not {OutputFormats.Names}" +
            DidYouMean.Among(value, ((OutputFormat[])Enum.GetValues(typeof(OutputFormat))).Select(OutputFormats.Name)));
    }

    private static string ParseAs(string name, string value)
    {
        foreach (var known in new[] { "Content", "EmbeddedResource", "None" })
            if (string.Equals(value.Trim(), known, StringComparison.OrdinalIgnoreCase)) return known;
        if (value.Trim().Length == 0) return "Content";
        throw Invalid(TaskErrorCodes.InvalidMetadata, name, $"As '{value}' is not Content, EmbeddedResource or None" +
            DidYouMean.Among(value, new[] { "Content", "EmbeddedResource", "None" }));
    }

    private static OnnxOutputs ParseOnnxOutputs(string name, string value)
    {
        if (value.Trim().Length == 0) return OnnxOutputs.Layers;
        if (OnnxExportOptions.TryParse(value, out var outputs)) return outputs;
        throw Invalid(TaskErrorCodes.InvalidMetadata, name, $"OnnxOutputs '{value}' is not {OnnxExportOptions.Names}" +
            DidYouMean.Among(value, ((OnnxOutputs[])Enum.GetValues(typeof(OnnxOutputs))).Select(OnnxExportOptions.Name)));
    }

    private static (int, int)? ParseOnnxInputSize(string name, string value)
    {
        if (value.Trim().Length == 0) return null;
        if (OnnxExportOptions.TryParseSize(value, out var width, out var height)) return (width, height);
        throw Invalid(TaskErrorCodes.InvalidMetadata, name, $"OnnxInputSize '{value}' is not WIDTHxHEIGHT (e.g. 416x416)");
    }

    private static int? ParseLayers(string name, string value)
    {
        if (value.Trim().Length == 0) return null;
        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var layers) && layers > 0) return layers;
        throw Invalid(TaskErrorCodes.InvalidMetadata, name, $"Layers '{value}' is not a positive whole number");
    }

    private static string? ParseSha256(string name, string value)
    {
        if (value.Trim().Length == 0) return null;
        return FileHashes.ParseHex(value, 64) ??
            throw Invalid(TaskErrorCodes.InvalidMetadata, name, $"Sha256 '{value}' is not 64 hexadecimal digits");
    }

    private static DarknetException Invalid(string code, string name, string what) =>
        new DarknetException(code, $"DarknetModel '{name}' {what}.");
}
