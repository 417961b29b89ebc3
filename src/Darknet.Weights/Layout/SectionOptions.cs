using System;
using System.Collections.Generic;
using System.Globalization;
using Darknet.Weights.Config;

namespace Darknet.Weights.Layout;

/// <summary>
/// One cfg section's options as the layout reads them: the value the cfg gives, else darknet's default from
/// <see cref="DarknetDefaults"/>. Malformed values are DKN1001 naming the option's line.
/// </summary>
internal sealed class SectionOptions
{
    private readonly CfgSection _section;
    private readonly string _name;
    private readonly DarknetDefaults _defaults;

    public SectionOptions(CfgSection section, string canonicalName, DarknetDefaults defaults)
    {
        _section = section;
        _name = canonicalName;
        _defaults = defaults;
    }

    public CfgSection Section => _section;

    public CfgOption? Find(string key) => _section.Find(key);

    public bool Has(string key) => _section.Find(key) != null;

    /// <summary>The option as written, else its default; null where darknet has none.</summary>
    public string? String(string key)
    {
        var value = _section.Find(key)?.Value ?? _defaults.Of(_name, key);
        return value.Length == 0 ? null : value;
    }

    public int Int(string key) =>
        _section.Find(key) != null ? _section.GetInt(key, 0) : ParseDefault(key);

    /// <summary>An option whose default follows from values already read (maxpool size = stride).</summary>
    public int Int(string key, int fallback)
    {
        _defaults.Of(_name, key);
        return _section.GetInt(key, fallback);
    }

    public bool Flag(string key) => Int(key) != 0;

    public float Float(string key)
    {
        var option = _section.Find(key);
        var text = option?.Value ?? _defaults.Of(_name, key);
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        throw new DarknetException(ErrorCodes.MalformedCfg,
            $"{_section.Where(option?.Line ?? _section.Line)}: [{_section.Name}] {key}={CfgReader.Quote(text)}: expected a number");
    }

    /// <summary>A comma-separated list of whole numbers; null when the cfg does not set it.</summary>
    public int[]? IntList(string key)
    {
        _defaults.Of(_name, key);
        return _section.GetIntList(key);
    }

    /// <summary>A comma-separated list of numbers (anchors=); null when the cfg does not set it.</summary>
    public float[]? FloatList(string key)
    {
        _defaults.Of(_name, key);
        var option = _section.Find(key);
        if (option == null) return null;
        var parts = option.Value.Split(',');
        var values = new List<float>(parts.Length);
        foreach (var part in parts)
        {
            if (part.Length == 0) continue; // darknet's anchors often end in a comma
            if (!float.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new DarknetException(ErrorCodes.MalformedCfg,
                    $"{_section.Where(option.Line)}: [{_section.Name}] {key}=…: '{CfgReader.Quote(part)}' is not a number");
            values.Add(value);
        }
        return values.ToArray();
    }

    /// <summary>The line of every option the section sets, by lower-case key (the first one of a repeated key, as darknet reads it).</summary>
    public Dictionary<string, int> Lines()
    {
        var lines = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in _section.Options)
            if (!lines.ContainsKey(option.Key)) lines.Add(option.Key.ToLowerInvariant(), option.Line);
        return lines;
    }

    public DarknetException Unsupported(string key, string what) =>
        new DarknetException(ErrorCodes.UnsupportedLayer, $"{_section.Where(_section.Find(key)?.Line ?? _section.Line)}: [{_section.Name}] {what}");

    private int ParseDefault(string key)
    {
        var text = _defaults.Of(_name, key);
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        throw new InvalidOperationException($"[{_name}] {key}= has no whole-number default (it is '{text}')");
    }
}
