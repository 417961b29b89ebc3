using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Darknet.Weights;
using Darknet.Weights.Models;
using Darknet.Weights.Naming;
using Darknet.Weights.Numpy;

namespace Darknet.Cli;

/// <summary>
/// <c>darknet inspect FILE.npy|FILE.npz|FILE.safetensors</c>: one line per layer with each array's shape, then the
/// totals. <c>darknet inspect --cfg FILE|URL</c> (see <see cref="CfgArgument"/>) or <c>--model NAME</c>: the network itself, without weights (layers,
/// shapes, the floats each stores and the exact size its .weights file must have).
/// Exit codes: 0 ok, 1 the file could not be read (DKN code on stderr), 2 usage error.
/// </summary>
public static class InspectCommand
{
    public const string Usage = "usage: darknet inspect FILE.npy|FILE.npz|FILE.safetensors\n" +
                                "       darknet inspect --cfg FILE.cfg|URL [--cache DIR] [--allow-http] | --model NAME\n";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 1 && (args[0] == "-h" || args[0] == "--help"))
        {
            stdout.Write(Usage);
            return 0;
        }
        if (args.Length == 2 && args[0] == "--model")
            return Network(args[0], args[1], null, stdout, stderr);
        if (args.Length >= 2 && args[0] == "--cfg")
        {
            CommandLine options;
            try
            {
                options = CommandLine.Parse(args.Skip(2).ToArray(), new[] { "--cache" }, new[] { "--allow-http" });
                if (options.Words.Count > 0) throw new CommandLineException($"unexpected argument '{options.Words[0]}'");
            }
            catch (CommandLineException e)
            {
                stderr.Write($"darknet: {ErrorCodes.BadCommandLine}: inspect: {e.Message}\n" + Usage);
                return 2;
            }
            return Network(args[0], args[1], options, stdout, stderr);
        }
        if (args.Length != 1 || args[0].StartsWith("-", StringComparison.Ordinal))
        {
            stderr.Write($"darknet: {ErrorCodes.BadCommandLine}: inspect: expected one FILE.npy or FILE.npz, or --cfg FILE or --model NAME\n" + Usage);
            return 2;
        }

        IReadOnlyList<LayerParameters> layers;
        try
        {
            layers = ModelFileReader.ReadFile(args[0]);
        }
        catch (DarknetException e)
        {
            stderr.WriteLine($"darknet: {e.Code}: {e.Message}");
            return 1;
        }

        int nameWidth = layers.Count == 0 ? 0 : layers.Max(l => l.Name.Length);
        long floats = 0;
        foreach (var layer in layers)
        {
            var parts = new List<string>();
            if (layer.Weights != null) parts.Add("weights " + layer.Weights.ShapeText);
            if (layer.Biases != null) parts.Add("biases " + layer.Biases.ShapeText);
            if (layer.BatchNorm != null)
            {
                var shapes = layer.BatchNorm.Select(t => t.ShapeText).Distinct().ToList();
                parts.Add(shapes.Count == 1
                    ? $"bn {layer.BatchNorm.Length} x {shapes[0]}"
                    : "bn [" + string.Join(", ", layer.BatchNorm.Select(t => t.ShapeText)) + "]");
            }
            if (parts.Count == 0) parts.Add("(no arrays)");
            stdout.WriteLine(layer.Name.PadRight(nameWidth) + "  " + string.Join("  ", parts));
            floats += Count(layer.Weights) + Count(layer.Biases) + (layer.BatchNorm?.Sum(t => (long)t.Data.Length) ?? 0);
        }
        stdout.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} layers, {1:N0} float32 values ({2:N0} bytes)", layers.Count, floats, floats * 4));
        return 0;
    }

    private static int Network(string flag, string value, CommandLine? options, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (flag == "--cfg")
            {
                var layout = CfgArgument.Load(value, options?.Value("--cache"), options?.Switches.Contains("--allow-http") == true, CancellationToken.None);
                NetworkTable.Write(layout, LayerNaming.NamesFor, null, stdout);
            }
            else
            {
                var model = ModelCatalog.Find(value) ?? throw ModelCatalog.Unknown(value);
                NetworkTable.Write(model.Layout, _ => model.LayerNames, model, stdout);
            }
            return 0;
        }
        catch (DarknetException e)
        {
            stderr.WriteLine($"darknet: {e.Code}: {e.Message}");
            return 1;
        }
    }

    private static long Count(Tensor? t) => t?.Data.Length ?? 0;
}
