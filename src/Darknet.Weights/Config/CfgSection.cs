using System;
using System.Collections.Generic;
using System.Globalization;

namespace Darknet.Weights.Config;

/// <summary>
/// One <c>[name]</c> section and its options. Typed getters follow darknet: when a key repeats, the first one wins;
/// a missing key gives the default; a value that is not a whole number is an error naming its line.
/// </summary>
internal sealed class CfgSection
{
    private readonly List<CfgOption> _options = new List<CfgOption>();

    public CfgSection(string name, int line, string sourceName)
    {
        Name = name;
        Line = line;
        SourceName = sourceName;
    }

    /// <summary>The name between the brackets, as written (e.g. "conv", "convolutional").</summary>
    public string Name { get; }

    /// <summary>1-based line of the <c>[name]</c> header.</summary>
    public int Line { get; }

    public string SourceName { get; }

    public IReadOnlyList<CfgOption> Options => _options;

    internal void Add(CfgOption option) => _options.Add(option);

    public CfgOption? Find(string key)
    {
        foreach (var option in _options)
            if (string.Equals(option.Key, key, StringComparison.OrdinalIgnoreCase)) return option;
        return null;
    }

    public bool Has(string key) => Find(key) != null;

    public string? GetString(string key) => Find(key)?.Value;

    public int GetInt(string key, int defaultValue)
    {
        var option = Find(key);
        return option == null ? defaultValue : ParseInt(option, option.Value);
    }

    /// <summary>A comma-separated list of whole numbers (route <c>layers</c>); null when the key is absent.</summary>
    public int[]? GetIntList(string key)
    {
        var option = Find(key);
        if (option == null) return null;
        var parts = option.Value.Split(',');
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++) values[i] = ParseInt(option, parts[i]);
        return values;
    }

    /// <summary>"yolov3.cfg, line 12" (or "yolov3.cfg" for line 0): the prefix every cfg error message starts with.</summary>
    internal string Where(int line) => CfgReader.Where(SourceName, line);

    private int ParseInt(CfgOption option, string text)
    {
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        throw new DarknetException(ErrorCodes.MalformedCfg,
            $"{Where(option.Line)}: [{Name}] {CfgReader.Quote(option.Key)}={CfgReader.Quote(option.Value)}: expected a whole number, got '{CfgReader.Quote(text)}'");
    }
}
