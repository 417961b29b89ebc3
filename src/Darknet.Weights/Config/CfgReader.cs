using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Darknet.Weights.Config
{
    /// <summary>
    /// Reads darknet .cfg text into sections, the way darknet's read_cfg does: all whitespace inside a line is removed,
    /// lines starting with '#' or ';' and blank lines are skipped, a line starting with '[' opens a section, any other
    /// line must be key=value. Stricter than darknet where darknet only warns: a line that is neither is an error.
    /// A '#' or ';' after a value starts a comment (darknet's atoi would ignore that tail too).
    /// </summary>
    public static class CfgReader
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
                            throw Malformed(sourceName, lineNumber, $"section header '{raw.Trim()}' must look like [name]");
                        current = new CfgSection(line.Substring(1, line.Length - 2), lineNumber, sourceName);
                        sections.Add(current);
                        continue;
                    }

                    var equals = line.IndexOf('=');
                    if (equals <= 0)
                        throw Malformed(sourceName, lineNumber, $"'{raw.Trim()}' is neither [section], key=value nor a comment");
                    if (current == null)
                        throw Malformed(sourceName, lineNumber, $"'{raw.Trim()}' comes before the first [section]");
                    var value = line.Substring(equals + 1);
                    var comment = value.IndexOfAny(CommentStarts);
                    if (comment >= 0) value = value.Substring(0, comment);
                    current.Add(new CfgOption(line.Substring(0, equals), value, lineNumber));
                }
            }
            return sections;
        }

        public static IReadOnlyList<CfgSection> ReadFile(string path)
        {
            if (!File.Exists(path))
                throw new DarknetException(ErrorCodes.CfgNotFound, $"cfg file not found: {path}");
            return Parse(File.ReadAllText(path), Path.GetFileName(path));
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
}
