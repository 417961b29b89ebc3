using System;
using System.Collections.Generic;

namespace Darknet.Cli;

/// <summary>The flags of every <c>darknet</c> command: "--name value" (or "--name=value") pairs, switches and positional words.</summary>
internal sealed class CommandLine
{
    public readonly List<string> Words = new List<string>();
    public readonly Dictionary<string, string> Values = new Dictionary<string, string>(StringComparer.Ordinal);
    public readonly HashSet<string> Switches = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Throws CommandLineException for an unknown flag, a missing value or a flag given twice. <paramref name="aliases"/>
    /// maps other spellings to the flag they stand for (stored under that flag, and counted with it as given twice).
    /// </summary>
    public static CommandLine Parse(string[] args, ICollection<string> valueFlags, ICollection<string> switches, IReadOnlyDictionary<string, string>? aliases = null)
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
            var given = equals > 0 ? arg.Substring(0, equals) : arg;
            var name = aliases != null && aliases.TryGetValue(given, out var canonical) ? canonical : given;
            if (switches.Contains(name) && equals < 0)
            {
                if (!line.Switches.Add(name)) throw new CommandLineException(given + " given twice");
                continue;
            }
            if (!valueFlags.Contains(name)) throw new CommandLineException($"unknown option '{given}'");
            string value;
            if (equals > 0) value = arg.Substring(equals + 1);
            else if (i + 1 < args.Length) value = args[++i];
            else throw new CommandLineException(given + " needs a value");
            if (value.Length == 0) throw new CommandLineException(given + " needs a value");
            if (line.Values.ContainsKey(name)) throw new CommandLineException(given + " given twice");
            line.Values[name] = value;
        }
        return line;
    }

    public string? Value(string name) => Values.TryGetValue(name, out var value) ? value : null;
}
