namespace Darknet.Weights.Config;

/// <summary>One <c>key=value</c> line of a section, with all whitespace removed as darknet does.</summary>
internal sealed class CfgOption
{
    public CfgOption(string key, string value, int line)
    {
        Key = key;
        Value = value;
        Line = line;
    }

    public string Key { get; }

    public string Value { get; }

    /// <summary>1-based line in the cfg text.</summary>
    public int Line { get; }
}
