using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Darknet.Weights.Models;

namespace Darknet.Cli;

/// <summary>The <c>darknet</c> command: <c>convert</c>, <c>inspect</c>, <c>fetch</c> and <c>cache</c>. Exit codes: 0 ok, 1 failed, 2 usage error, 128 + the signal when interrupted (130 for Ctrl+C).</summary>
public static class Program
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int UsageError = 2;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.Write(Usage);
            return UsageError;
        }
        if (args[0] is "--version" or "version")
        {
            stdout.WriteLine(VersionText);
            return Ok;
        }
        if (args[0] is "-h" or "--help" or "help")
        {
            if (args.Length == 2 && CommandHelp(args[1]) is { } help)
            {
                stdout.Write(help);
                return Ok;
            }
            stdout.Write(Usage);
            return Ok;
        }

        var rest = args[1..];
        if (rest.Length == 1 && rest[0] is "-h" or "--help" && CommandHelp(args[0]) is { } commandHelp)
        {
            stdout.Write(commandHelp);
            return Ok;
        }
        switch (args[0])
        {
            case "convert":
                return ConvertCommand.Run(rest, stdout, stderr);
            case "inspect":
                return InspectCommand.Run(rest, stdout, stderr);
            case "cache":
                return CacheCommand.Run(rest, stdout, stderr);
            case "fetch":
                return FetchCommand.Run(rest, stdout, stderr);
            default:
                stderr.WriteLine($"darknet: {Darknet.Weights.ErrorCodes.BadCommandLine}: unknown command '{args[0]}'");
                stderr.Write(Usage);
                return UsageError;
        }
    }

    /// <summary>The whole usage: every command's lines and the built-in models.</summary>
    public static string Usage =>
        "usage:\n" + ConvertLines + InspectLines + FetchLines + CacheLines +
        "  darknet --version\n" +
        "  darknet COMMAND --help\n" +
        "\n" + Models;

    /// <summary><c>darknet convert --help</c>.</summary>
    public static string ConvertHelp =>
        "usage:\n" + ConvertLines +
        "\n" +
        "  --model NAME        a built-in model (below): reads DIR/<its .weights file>, writes SAVE_DIR/<output>.npy\n" +
        "  --weights_dir DIR   where the .weights file is\n" +
        "  --save_dir DIR      where to write the output\n" +
        "  --cfg FILE|URL      any darknet .cfg, with --weights FILE and --out FILE; a URL is fetched once into the\n" +
        "                      machine cache (--cache DIR, default as for `darknet cache path`) and read from there\n" +
        "  --allow-http        with --cfg URL: accept plain http:// (as DarknetAllowHttp does)\n" +
        "  --layers N          convert only the first N layers that carry weights\n" +
        "  --format FORMAT     npy: the pickled layer dictionary (default); npz: one array per entry, no pickle;\n" +
        "                      safetensors: the npz's arrays in one .safetensors file; onnx: the whole network as an\n" +
        "                      ONNX model that computes what darknet computes (every built-in but the partial\n" +
        "                      darknet53.conv.74, yolov4.conv.137 and yolov3_feat)\n" +
        "  --onnx-outputs KIND layers: each [yolo]/[region] layer's output (default); boxes: darknet's decoded boxes and\n" +
        "                      scores before any threshold; detections: thresholded, per-class NMS, [M, 7]\n" +
        "  --onnx-size WxH     pin the input to that size (OpenCV's ONNX importer and ML.NET need a fixed size);\n" +
        "                      boxes and detections are pinned to the cfg's size unless this says otherwise\n" +
        "  --names FILE        with --format onnx: the class names (darknet's .names, one a line) for the model's\n" +
        "                      metadata, as many as the network's classes; a built-in detector carries its own\n" +
        "                      (COCO's 80, Open Images' 601), which FILE replaces\n" +
        "\n" + Models;

    /// <summary><c>darknet inspect --help</c>.</summary>
    public static string InspectHelp =>
        "usage:\n" + InspectLines +
        "\n" +
        "  FILE: Prints each layer's name and array shapes, then the number of layers and float32 values.\n" +
        "  Reads our .npy/.npz/.safetensors and such files written by numpy; nothing in a file ever runs.\n" +
        "  --cfg FILE, --model NAME: prints the network without weights: each layer's section, input and output\n" +
        "  shapes, the floats it stores and their names, then the exact size its .weights file must have.\n";

    /// <summary><c>darknet fetch --help</c>.</summary>
    public static string FetchHelp =>
        "usage:\n" + FetchLines +
        "\n" +
        "  Downloads and verifies the models' .weights into the machine cache that dotnet build uses, ahead of time:\n" +
        "  to warm a CI cache, or to fill a cache on a connected machine and carry it into an air-gapped network, where\n" +
        "  `dotnet build -p:DarknetOffline=true` (with DARKNET_CACHE_DIR pointing at it) then uses exactly these entries.\n" +
        "\n" +
        "  --cache DIR     the cache to fill (default: DARKNET_CACHE_DIR, else the platform default; see `darknet cache path`)\n" +
        "  --mirror URL    download from URL<file name> instead of the catalog's hosts (as DarknetMirror does)\n" +
        "  --sha256 HEX    pin the file's SHA-256 (one model), as Sha256=\"HEX\" on its DarknetModel item does\n" +
        "  --allow-http    accept plain http:// without a pinned SHA-256 (as DarknetAllowHttp does)\n" +
        "\n" + Models;

    /// <summary><c>darknet cache --help</c>.</summary>
    public static string CacheHelp =>
        "usage:\n" + CacheLines +
        "\n" +
        "  path     print where the machine cache is\n" +
        "  list     every file: path in the cache, model, size, SHA-256 (as verified), last used; partial downloads and\n" +
        "           rejected (moved-aside) files are marked\n" +
        "  verify   hash every entry again against its record; remove what is damaged (exit code 1 when anything was)\n" +
        "  clean    remove litter (dead runs' temps, abandoned partial downloads) and rejected files;\n" +
        "           --older-than DAYS  also entries not used for DAYS days;  --all  everything;\n" +
        "           an entry a build is using is kept and reported as busy (its lock is never waited for)\n" +
        "  key      one line for a CI cache key (actions/cache key:) from the weights the projects' DarknetModel items\n" +
        "           pin (Sha256, else a built-in's published digests); NAMES and DIGESTS are comma-separated\n" +
        "\n" +
        "  --cache DIR   the cache (default: DARKNET_CACHE_DIR, else the platform default)\n";

    /// <summary>The tool's version, its commit and the runtime it runs on: <c>darknet 0.1.0 (commit 1a2b3c4, .NET 10.0.1)</c>.</summary>
    public static string VersionText
    {
        get
        {
            var informational = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            int plus = informational.IndexOf('+');
            var version = plus < 0 ? informational : informational.Substring(0, plus);
            var commit = plus < 0 ? "" : informational.Substring(plus + 1);
            if (commit.Length > 7) commit = commit.Substring(0, 7);
            var runtime = RuntimeInformation.FrameworkDescription;
            return commit.Length > 0 ? $"darknet {version} (commit {commit}, {runtime})" : $"darknet {version} ({runtime})";
        }
    }

    private const string ConvertLines =
        "  darknet convert --model NAME --weights_dir DIR --save_dir DIR [--layers N] [--format npy|npz|onnx|safetensors] [--names FILE]\n" +
        "  darknet convert --cfg FILE|URL --weights FILE --out FILE.npy [--layers N] [--format npy|npz|onnx|safetensors] [--names FILE]\n" +
        "                  with --cfg URL: [--cache DIR] [--allow-http]\n" +
        "                  with --format onnx: [--onnx-outputs layers|boxes|detections] [--onnx-size WxH]\n";

    private const string InspectLines =
        "  darknet inspect FILE.npy|FILE.npz|FILE.safetensors\n" +
        "  darknet inspect --cfg FILE.cfg|URL [--cache DIR] [--allow-http] | --model NAME\n";

    private const string FetchLines = "  darknet fetch MODEL... [--cache DIR] [--mirror URL] [--sha256 HEX] [--allow-http]\n";

    private const string CacheLines =
        "  darknet cache path|list|verify [--cache DIR]\n" +
        "  darknet cache clean [--older-than DAYS | --all] [--cache DIR]\n" +
        "  darknet cache key [PROJECT...] [--model NAMES] [--sha256 DIGESTS]\n";

    private static string? CommandHelp(string command) => command switch
    {
        "convert" => ConvertHelp,
        "inspect" => InspectHelp,
        "fetch" => FetchHelp,
        "cache" => CacheHelp,
        _ => null,
    };

    // From the catalog, so a model added there is listed here without touching the CLI.
    private static string Models
    {
        get
        {
            var text = new StringBuilder("built-in models (--model NAME; aliases in brackets):\n");
            var names = ModelCatalog.All.Select(m => m.Aliases.Count == 0 ? m.Name : $"{m.Name} ({string.Join(", ", m.Aliases)})").ToList();
            int width = names.Max(n => n.Length);
            for (int i = 0; i < names.Count; i++)
            {
                var model = ModelCatalog.All[i];
                var layers = model.LayerLimit is { } limit ? $", first {limit} layers" : "";
                text.Append(string.Format(CultureInfo.InvariantCulture, "  {0} {1} ({2:N0} bytes{3}) -> {4}.npy\n",
                    names[i].PadRight(width), model.WeightsFileName, model.WeightsSize, layers, model.OutputName));
            }
            return text.ToString();
        }
    }
}
