using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Darknet.Weights.Config;

/// <summary>
/// Reads darknet .cfg text into sections, the way darknet's read_cfg does: all whitespace inside a line is removed,
/// lines starting with '#' or ';' and blank lines are skipped, a line starting with '[' opens a section, any other
/// line must be key=value. Stricter than darknet where darknet only warns: a line that is neither is an error.
/// A '#' or ';' after a value starts a comment (darknet's atoi would ignore that tail too).
/// </summary>
internal static class CfgReader
{
    private static readonly char[] CommentStarts = { '#', ';' };

    public static IReadOnlyList<CfgSection> Parse(string text, string sourceName)
    {
        if (text == null) throw new ArgumentNullException(nameof(text));
        var sections = new List<CfgSection>();
        CfgSection? current = null;
        var lineNumber = 0;
        using (var reader = new StringReader(text))
        {
            string? raw;
            while ((raw = reader.ReadLine()) != null)
            {
                lineNumber++;
                var line = RemoveWhitespace(raw);
                if (line.Length == 0 || line[0] == '#' || line[0] == ';') continue;

                if (line[0] == '[')
                {
                    if (line[line.Length - 1] != ']' || line.Length < 3)
                        throw Malformed(sourceName, lineNumber, $"section header '{Quote(raw)}' must look like [name]");
                    current = new CfgSection(line.Substring(1, line.Length - 2), lineNumber, sourceName);
                    sections.Add(current);
                    continue;
                }

                var equals = line.IndexOf('=');
                if (equals <= 0)
                    throw Malformed(sourceName, lineNumber, $"'{Quote(raw)}' is neither [section], key=value nor a comment");
                if (current == null)
                    throw Malformed(sourceName, lineNumber, $"'{Quote(raw)}' comes before the first [section]");
                var value = line.Substring(equals + 1);
                var comment = value.IndexOfAny(CommentStarts);
                if (comment >= 0) value = value.Substring(0, comment);
                current.Add(new CfgOption(line.Substring(0, equals), value, lineNumber));
            }
        }
        return sections;
    }

    /// <summary>The largest file taken for a cfg. Upstream cfgs are a few KB (densenet201.cfg, the largest, ~20 KB).</summary>
    public const long MaxCfgBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Reads and parses a cfg file. A file larger than <see cref="MaxCfgBytes"/> or holding a NUL byte is binary (a
    /// .weights file passed as the cfg, say) and is refused before it is decoded, so it never becomes a huge string.
    /// </summary>
    public static IReadOnlyList<CfgSection> ReadFile(string path) => Parse(ReadText(path), Path.GetFileName(path));

    /// <summary>A cfg file's text, with <see cref="ReadFile"/>'s refusals (DKN1001 for a binary or oversized file, read at most <see cref="MaxCfgBytes"/>).</summary>
    internal static string ReadText(string path)
    {
        if (!File.Exists(path))
            throw new DarknetException(ErrorCodes.CfgNotFound, $"cfg file not found: {path}");
        var name = Path.GetFileName(path);
        long length = new FileInfo(path).Length;
        if (length > MaxCfgBytes)
            throw TooLarge(name, length);
        return TextOf(ReadAtMost(path, name), name);
    }

    /// <summary>The cfg file that is <paramref name="length"/> bytes long is refused (DKN1001).</summary>
    internal static DarknetException TooLarge(string sourceName, long length) =>
        Malformed(sourceName, 0, $"is {length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes, not a cfg (a cfg is text of a few KB; is this the .weights file?)");

    /// <summary>A cfg source that went on past <see cref="MaxCfgBytes"/> is refused (DKN1001).</summary>
    internal static DarknetException MoreThanMax(string sourceName) =>
        Malformed(sourceName, 0, $"holds more than {MaxCfgBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes, not a cfg (a cfg is text of a few KB)");

    /// <summary>Bytes of at most <see cref="MaxCfgBytes"/> as cfg text: a NUL byte means a binary file, refused (DKN1001).</summary>
    internal static string TextOf(byte[] bytes, string sourceName)
    {
        if (bytes.Length > MaxCfgBytes) throw TooLarge(sourceName, bytes.Length);
        int nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            int line = 1;
            for (int i = 0; i < nul; i++) if (bytes[i] == (byte)'\n') line++;
            throw Malformed(sourceName, line, "a NUL byte: this is a binary file, not a cfg (is it the .weights file?)");
        }
        using (var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            return reader.ReadToEnd();
    }

    // The length a device or pipe reports is no limit (/dev/zero says 0 bytes): read at most MaxCfgBytes.
    private static byte[] ReadAtMost(string path, string name)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int n;
        while ((n = file.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxCfgBytes)
                throw MoreThanMax(name);
        }
        return buffer.ToArray();
    }

    /// <summary>A line as quoted in an error: trimmed, control characters shown as '?', at most 60 characters.</summary>
    internal static string Quote(string raw)
    {
        const int max = 60;
        var text = raw.Trim();
        var builder = new StringBuilder(Math.Min(text.Length, max) + 3);
        for (int i = 0; i < text.Length && i < max; i++)
            builder.Append(char.IsControl(text[i]) || text[i] == '\uFFFD' ? '?' : text[i]);
        if (text.Length > max) builder.Append("...");
        return builder.ToString();
    }

    internal static string Where(string sourceName, int line) => line > 0 ? $"{sourceName}, line {line}" : sourceName;

    private static DarknetException Malformed(string sourceName, int line, string what) =>
        new DarknetException(ErrorCodes.MalformedCfg, $"{Where(sourceName, line)}: {what}");

    private static string RemoveWhitespace(string line)
    {
        var builder = new StringBuilder(line.Length);
        foreach (var ch in line)
            if (!char.IsWhiteSpace(ch) && ch != '\uFEFF') builder.Append(ch);
        return builder.ToString();
    }
}
