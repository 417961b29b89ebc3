using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Darknet.Weights.Numpy;

/// <summary>
/// The .npy header (numpy's format.py): magic "\x93NUMPY", version, header length, then a Python dict literal
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 3, 3, 32), }</c> padded with spaces to a multiple of 64 bytes.
/// </summary>
internal sealed class NpyHeader
{
    public static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    // numpy refuses longer headers by default (format._MAX_HEADER_SIZE); a real one is ~128 bytes.
    private const int MaxHeaderLength = 10000;

    public NpyHeader(string descr, bool fortranOrder, int[] shape)
    {
        Descr = descr;
        FortranOrder = fortranOrder;
        Shape = shape;
    }

    public string Descr { get; }

    public bool FortranOrder { get; }

    public int[] Shape { get; }

    /// <summary>Writes exactly what numpy 1.24's <c>np.save</c> writes for a C-order array (version 1.0).</summary>
    public static void Write(Stream output, string descr, int[] shape)
    {
        var dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + ShapeRepr(shape) + ", }";
        // numpy leaves room to grow the first axis in place (format.GROWTH_AXIS_MAX_DIGITS = 21).
        if (shape.Length > 0) dict += new string(' ', Math.Max(0, 21 - shape[0].ToString(CultureInfo.InvariantCulture).Length));
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int padding = 64 - unpadded % 64;
        var text = dict + new string(' ', padding) + "\n";
        var bytes = new byte[Magic.Length + 4 + text.Length];
        Buffer.BlockCopy(Magic, 0, bytes, 0, Magic.Length);
        bytes[6] = 1;
        bytes[7] = 0;
        bytes[8] = (byte)(text.Length & 0xff);
        bytes[9] = (byte)(text.Length >> 8);
        Encoding.ASCII.GetBytes(text, 0, text.Length, bytes, 10);
        output.Write(bytes, 0, bytes.Length);
    }

    public static string ShapeRepr(int[] shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        return "(" + string.Join(", ", parts) + (shape.Length == 1 ? ",)" : ")");
    }

    /// <summary>Reads and checks the magic and header; leaves the reader at the first data byte.</summary>
    public static NpyHeader Read(BoundedReader input, string sourceName)
    {
        var magic = input.ReadSmall(Magic.Length, "the .npy magic");
        for (int i = 0; i < Magic.Length; i++)
            if (magic[i] != Magic[i]) throw NotNumpy(sourceName, "it does not start with the .npy magic \\x93NUMPY");
        return ReadAfterMagic(input, sourceName);
    }

    public static NpyHeader ReadAfterMagic(BoundedReader input, string sourceName)
    {
        var version = input.ReadSmall(2, "the .npy version");
        int major = version[0], minor = version[1];
        int lengthBytes = major == 1 ? 2 : major == 2 || major == 3 ? 4 : 0;
        if (lengthBytes == 0) throw NotNumpy(sourceName, $"unknown .npy format version {major}.{minor}");
        var lengthField = input.ReadSmall(lengthBytes, "the .npy header length");
        long length = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) length = (length << 8) | lengthField[i];
        if (length > MaxHeaderLength) throw NotNumpy(sourceName, $"its header declares {length} bytes (at most {MaxHeaderLength} allowed)");
        var headerBytes = input.ReadExactly(length, "the .npy header");
        var text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Latin1(headerBytes);
        return Parse(text, sourceName);
    }

    private static string Latin1(byte[] bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = (char)bytes[i];
        return new string(chars);
    }

    public static bool StartsWithMagic(byte[] bytes)
    {
        if (bytes.Length < Magic.Length) return false;
        for (int i = 0; i < Magic.Length; i++)
            if (bytes[i] != Magic[i]) return false;
        return true;
    }

    internal static NpyHeader Parse(string text, string sourceName)
    {
        var parser = new LiteralParser(text, sourceName);
        var values = parser.ParseHeaderDict();
        if (!values.TryGetValue("descr", out var descr) || !(descr is string descrText))
            throw NotNumpy(sourceName, "its header has no 'descr' string (a structured dtype is not supported)");
        if (!values.TryGetValue("fortran_order", out var fortran) || !(fortran is bool fortranOrder))
            throw NotNumpy(sourceName, "its header has no 'fortran_order' True/False");
        if (!values.TryGetValue("shape", out var shapeValue) || !(shapeValue is int[] shape))
            throw NotNumpy(sourceName, "its header has no 'shape' tuple");
        return new NpyHeader(descrText, fortranOrder, shape);
    }

    private static DarknetException NotNumpy(string sourceName, string why) =>
        new DarknetException(ErrorCodes.NotNumpyFile, $"{sourceName} is not a numpy .npy file: {why}");

    /// <summary>Parses the header's dict literal: string keys; values are strings, True/False, or tuples of ints.</summary>
    private sealed class LiteralParser
    {
        private readonly string _text;
        private readonly string _sourceName;
        private int _pos;

        public LiteralParser(string text, string sourceName)
        {
            _text = text;
            _sourceName = sourceName;
        }

        public Dictionary<string, object> ParseHeaderDict()
        {
            var result = new Dictionary<string, object>();
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { _pos++; break; }
                var key = ParseString();
                Expect(':');
                SkipSpace();
                result[key] = ParseValue();
                SkipSpace();
                if (Peek() == ',') { _pos++; continue; }
                Expect('}');
                break;
            }
            SkipSpace();
            if (_pos != _text.Length) throw Bad("unexpected text after the header dict");
            return result;
        }

        private object ParseValue()
        {
            char c = Peek();
            if (c == '\'' || c == '"') return ParseString();
            if (c == '(') return ParseShape();
            if (Matches("True")) return true;
            if (Matches("False")) return false;
            throw Bad($"unexpected value at offset {_pos}");
        }

        private int[] ParseShape()
        {
            Expect('(');
            var dims = new List<int>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { _pos++; return dims.ToArray(); }
                int start = _pos;
                while (_pos < _text.Length && char.IsDigit(_text[_pos])) _pos++;
                if (start == _pos || !int.TryParse(_text.Substring(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int dim))
                    throw Bad($"the shape holds something other than a dimension that fits an int at offset {start}");
                if (dims.Count == Float32Arrays.MaxDimensions) throw Bad($"the shape has more than {Float32Arrays.MaxDimensions} dimensions (numpy's limit)");
                dims.Add(dim);
                SkipSpace();
                if (Peek() == ',') { _pos++; continue; }
                Expect(')');
                return dims.ToArray();
            }
        }

        private string ParseString()
        {
            SkipSpace();
            char quote = Peek();
            if (quote != '\'' && quote != '"') throw Bad($"expected a quoted string at offset {_pos}");
            int end = _text.IndexOf(quote, _pos + 1);
            if (end < 0) throw Bad("unterminated string");
            var s = _text.Substring(_pos + 1, end - _pos - 1);
            _pos = end + 1;
            return s;
        }

        private bool Matches(string word)
        {
            if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0) return false;
            _pos += word.Length;
            return true;
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw Bad($"expected '{c}' at offset {_pos}");
            _pos++;
        }

        private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
        }

        private DarknetException Bad(string why) => NotNumpy(_sourceName, "its header is not a valid dict literal: " + why);
    }
}
