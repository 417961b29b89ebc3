using System;

namespace Darknet.Weights;

/// <summary>The names (as written in Format= and --format) and file extensions of the <see cref="OutputFormat"/>s.</summary>
internal static class OutputFormats
{
    /// <summary>"npy, npz or onnx" (every format's name): for messages.</summary>
    public static string Names
    {
        get
        {
            var names = Array.ConvertAll((OutputFormat[])Enum.GetValues(typeof(OutputFormat)), Name);
            return string.Join(", ", names, 0, names.Length - 1) + " or " + names[names.Length - 1];
        }
    }

    public static string Name(OutputFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>".npy", ".npz", ".onnx", ".safetensors".</summary>
    public static string Extension(OutputFormat format) => "." + Name(format);

    /// <summary>A format by its name, any case; false for anything else (numbers included).</summary>
    public static bool TryParse(string text, out OutputFormat format)
    {
        foreach (OutputFormat candidate in Enum.GetValues(typeof(OutputFormat)))
        {
            if (string.Equals(Name(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                format = candidate;
                return true;
            }
        }
        format = OutputFormat.Npy;
        return false;
    }
}
