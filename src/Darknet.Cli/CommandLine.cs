using System;
using System.Collections.Generic;

namespace Darknet.Cli;

/// <summary>The flags of <c>darknet cache</c> and <c>darknet fetch</c>: "--name value" pairs and positional words.</summary>
internal sealed class CommandLine
{
    public readonly List<string> Words = new List<string>();
    public readonly Dictionary<string, string> Values = new Dictionary<string, string>(StringComparer.Ordinal);
    public readonly HashSet<string> Switches = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Throws UsageException for an unknown flag or a missing value.</summary>
    public static CommandLine Parse(string[] args, ICollection<string> valueFlags, ICollection<string> switches)
    {
        var line = new CommandLine();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("-", StringComparison.Ordinal) || arg == "-")
            {
                line.Words.Add(arg);
                continue;
            }
            var equals = arg.IndexOf('=');
            var name = equals > 0 ? arg.Substring(0, equals) : arg;
            if (switches.Contains(name) && equals < 0)
            {
                line.Switches.Add(name);
                continue;
            }
            if (!valueFlags.Contains(name)) throw new CommandLineException("unknown option " + name);
            string value;
            if (equals > 0) value = arg.Substring(equals + 1);
            else if (i + 1 < args.Length) value = args[++i];
            else throw new CommandLineException(name + " needs a value");
            if (value.Length == 0) throw new CommandLineException(name + " needs a value");
            line.Values[name] = value;
        }
        return line;
    }

    public string? Value(string name) => Values.TryGetValue(name, out var value) ? value : null;
}
