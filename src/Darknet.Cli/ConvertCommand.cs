using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Darknet.Cache;
using Darknet.Weights;
using Darknet.Weights.IO;
using Darknet.Weights.Labels;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;

namespace Darknet.Cli;

/// <summary>
/// <c>darknet convert</c>: the seed's <c>--model/--weights_dir/--save_dir</c> form and the any-cfg
/// <c>--cfg/--weights/--out</c> form (the cfg a file or a URL, see <see cref="CfgArgument"/>). Arguments are parsed by <see cref="CommandLine"/>, as every command's are.
/// </summary>
public static class ConvertCommand
{
    private static readonly string[] ValueFlags =
    {
        "--model", "--weights_dir", "--save_dir", "--cfg", "--weights", "--out", "--layers", "--format", "--names",
        "--onnx-outputs", "--onnx-size", "--cache",
    };

    private static readonly string[] SwitchFlags = { "--allow-http", "-h", "--help" };

    private static readonly Dictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--weights-dir"] = "--weights_dir",
        ["--save-dir"] = "--save_dir",
        ["--output"] = "--out",
        ["-o"] = "--out",
    };

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        Request request;
        try
        {
            request = Parse(args);
        }
        catch (Exception e) when (e is UsageException || e is CommandLineException)
        {
            stderr.WriteLine($"darknet: {ErrorCodes.BadCommandLine}: convert: {e.Message}");
            stderr.Write(Program.Usage);
            return Program.UsageError;
        }
        catch (DarknetException e)
        {
            // An unknown --model name: a usage error that still carries its code.
            stderr.WriteLine($"darknet: {e.Code}: {e.Message}");
            return Program.UsageError;
        }
        if (request.Help)
        {
            stdout.Write(Program.Usage);
            return Program.Ok;
        }

        using var interruption = new Interruption(() =>
        {
            DeleteOwnTemps(request.OutputPath);
            stderr.WriteLine($"darknet: {ErrorCodes.Interrupted}: interrupted, and the conversion did not stop within {Interruption.Grace.TotalSeconds:0} s; nothing was written to {request.OutputPath}");
            stderr.Flush();
        });
        request.Options.Cancellation = interruption.Token;
        request.Cancellation = interruption.Token;
        try
        {
            OutputGuard.RefuseInputs(request.OutputPath, request.Inputs);
            if (request.NamesPath != null) request.Options.ClassNames = ClassNames.ReadFile(request.NamesPath);
            // What a killed run left beside the output (its temp, up to the output's size) goes before this one writes.
            TempFiles.DeleteOrphans(Path.GetDirectoryName(Path.GetFullPath(request.OutputPath)) ?? ".");
            var result = DarknetConverter.ConvertFile(request.Layout(), request.WeightsPath, request.OutputPath, request.Options);
            stdout.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "converted {0} layers ({1:N0} floats, weights version {2}) from {3} to {4}",
                result.LayersWritten, result.FloatsRead, result.Header.VersionText, request.WeightsPath, request.OutputPath));
            return Program.Ok;
        }
        catch (DarknetException e)
        {
            stderr.WriteLine($"darknet: {e.Code}: {e.Message}");
            return Program.Failed;
        }
        catch (OperationCanceledException) when (interruption.Signal != null)
        {
            stderr.WriteLine($"darknet: {ErrorCodes.Interrupted}: interrupted by {interruption.SignalName}: nothing was written to {request.OutputPath} (the unfinished temp file was removed)");
            return interruption.ExitCode;
        }
        catch (UnauthorizedAccessException e)
        {
            stderr.WriteLine($"darknet: {ErrorCodes.FileAccessFailed}: access denied: {e.Message}");
            return Program.Failed;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"darknet: {ErrorCodes.FileAccessFailed}: {e.Message}");
            return Program.Failed;
        }
    }

    /// <summary>This process's temps for <paramref name="outputPath"/> (a forced exit skips the writer's own cleanup).</summary>
    private static void DeleteOwnTemps(string outputPath)
    {
        var full = Path.GetFullPath(outputPath);
        var folder = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder)) return;
        foreach (var path in Directory.GetFiles(folder, "." + Path.GetFileName(full) + ".*" + TempFiles.Suffix))
            if (TempFiles.OwnerOf(Path.GetFileName(path)) == Environment.ProcessId) AtomicFile.TryDelete(path);
    }

    private static Request Parse(string[] args)
    {
        var line = CommandLine.Parse(args, ValueFlags, SwitchFlags, Aliases);
        if (line.Switches.Contains("-h") || line.Switches.Contains("--help")) return new Request { Help = true };
        if (line.Words.Count > 0) throw new UsageException($"unexpected argument '{line.Words[0]}'");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in line.Values) values[Key(pair.Key)] = pair.Value;
        foreach (var name in line.Switches) values[Key(name)] = "";

        var options = new ConversionOptions { Format = ParseFormat(values) };
        if (values.TryGetValue("layers", out var layersText))
        {
            if (!int.TryParse(layersText, NumberStyles.None, CultureInfo.InvariantCulture, out var layers))
                throw new UsageException($"--layers needs a positive whole number, not '{layersText}'");
            options.LayerLimit = layers;
        }

        // Only an ONNX model has metadata to carry the names in.
        if (values.ContainsKey("names") && options.Format != OutputFormat.Onnx)
            throw new UsageException("--names goes with --format onnx: only an ONNX model carries class names (in its metadata)");
        (int Width, int Height)? size = null;
        if (values.TryGetValue("onnx_outputs", out var outputs))
        {
            if (options.Format != OutputFormat.Onnx) throw new UsageException("--onnx-outputs goes with --format onnx");
            if (!Darknet.Weights.Onnx.OnnxExportOptions.TryParse(outputs, out var kind))
                throw new UsageException($"--onnx-outputs is {Darknet.Weights.Onnx.OnnxExportOptions.Names}, not '{outputs}'");
            options.Onnx.Outputs = kind;
        }
        if (values.TryGetValue("onnx_size", out var sizeText))
        {
            if (options.Format != OutputFormat.Onnx) throw new UsageException("--onnx-size goes with --format onnx");
            if (!Darknet.Weights.Onnx.OnnxExportOptions.TryParseSize(sizeText, out var width, out var height))
                throw new UsageException($"--onnx-size is WIDTHxHEIGHT (e.g. 416x416), not '{sizeText}'");
            size = (width, height);
            options.Onnx.FixedSize = true;
        }

        bool byModel = values.ContainsKey("model");
        bool byCfg = values.ContainsKey("cfg") || values.ContainsKey("weights") || values.ContainsKey("out");
        if (byModel && byCfg) throw new UsageException("use either --model with --weights_dir/--save_dir, or --cfg with --weights/--out, not both");
        var request = byModel ? ParseModel(values, options) : byCfg ? ParseCfg(values, options) : null;
        if (request == null) throw new UsageException("say what to convert: --model NAME or --cfg FILE");
        if (size is { } pinned)
        {
            var layout = request.Layout;
            request.Layout = () => layout().AtSize(pinned.Width, pinned.Height);
        }
        if (values.TryGetValue("names", out var names))
        {
            if (names.Length == 0) throw new UsageException("--names needs a file");
            request.NamesPath = names;
            request.Inputs = request.Inputs.Concat(new[] { ("--names", names) }).ToArray();
        }
        return request;
    }

    private static Request ParseModel(Dictionary<string, string> values, ConversionOptions options)
    {
        if (values.ContainsKey("weights") || values.ContainsKey("out")) throw new UsageException("--model reads --weights_dir and writes into --save_dir");
        if (values.ContainsKey("cache") || values.ContainsKey("allow_http")) throw new UsageException("--cache and --allow-http go with --cfg URL");
        var name = values["model"];
        var weightsDir = Required(values, "weights_dir", "--weights_dir");
        var saveDir = Required(values, "save_dir", "--save_dir");
        var model = ModelCatalog.Find(name) ?? throw ModelCatalog.Unknown(name);
        options.LayerLimit ??= model.LayerLimit;
        options.LayerNames = model.LayerNames;
        options.ClassNames = model.ClassNames; // --names replaces them
        var extension = OutputFormats.Extension(options.Format);
        return new Request
        {
            Layout = () => model.LayoutFor(options.Format),
            WeightsPath = Path.Combine(weightsDir, model.WeightsFileName),
            Inputs = new[] { ("--weights_dir", Path.Combine(weightsDir, model.WeightsFileName)) },
            OutputPath = Path.Combine(saveDir, model.OutputName + extension),
            Options = options,
        };
    }

    private static Request ParseCfg(Dictionary<string, string> values, ConversionOptions options)
    {
        if (values.ContainsKey("weights_dir") || values.ContainsKey("save_dir")) throw new UsageException("--weights_dir/--save_dir go with --model; with --cfg use --weights and --out");
        var cfg = Required(values, "cfg", "--cfg");
        var weights = Required(values, "weights", "--weights");
        var output = Required(values, "out", "--out");
        values.TryGetValue("cache", out var cache);
        var allowHttp = values.ContainsKey("allow_http");
        var request = new Request
        {
            WeightsPath = weights,
            OutputPath = output,
            // A URL is no file the output could overwrite.
            Inputs = ConfigSource.IsUrl(cfg) ? new[] { ("--weights", weights) } : new[] { ("--cfg", cfg), ("--weights", weights) },
            Options = options,
        };
        request.Layout = () => CfgArgument.Load(cfg, cache, allowHttp, request.Cancellation);
        return request;
    }

    private static OutputFormat ParseFormat(Dictionary<string, string> values)
    {
        if (!values.TryGetValue("format", out var text)) return OutputFormat.Npy;
        if (OutputFormats.TryParse(text, out var format)) return format;
        throw new UsageException($"--format is {OutputFormats.Names}, not '{text}'");
    }

    private static string Required(Dictionary<string, string> values, string key, string flag)
    {
        if (values.TryGetValue(key, out var value) && value.Length > 0) return value;
        throw new UsageException($"{flag} is missing");
    }

    private sealed class Request
    {
        public bool Help;
        public Func<NetworkLayout> Layout = () => throw new InvalidOperationException();
        public string WeightsPath = "";
        public string OutputPath = "";
        /// <summary>A .names file (--names), read when the conversion starts; it replaces a built-in model's names.</summary>
        public string? NamesPath;
        /// <summary>What the output must never overwrite, with the flag that named it.</summary>
        public (string Flag, string Path)[] Inputs = Array.Empty<(string, string)>();
        public ConversionOptions Options = new ConversionOptions();
        public CancellationToken Cancellation;
    }

    /// <summary>The key a flag's value is kept under: "--onnx-outputs" is "onnx_outputs".</summary>
    private static string Key(string flag) => flag.Substring(2).Replace('-', '_');

    private sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message)
        {
        }
    }
}
