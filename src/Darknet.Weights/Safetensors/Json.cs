using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Darknet.Weights.Safetensors;

/// <summary>
/// The little JSON a safetensors header needs: quoting strings to write it, and a strict parser to read it back into
/// objects (key order kept), arrays, strings, numbers (as decimal), true, false and null. Hand-written because the
/// core library targets netstandard2.0, where System.Text.Json is an extra package that would have to ship inside the
/// MSBuild task and collide with the copy Visual Studio's MSBuild loads; a header is small and its grammar is fixed.
/// </summary>
internal static class Json
{
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="fail"/> words the exception for a syntax error at a position.</summary>
    public static object? Parse(string text, Func<string, Exception> fail)
    {
        var parser = new Parser(text, fail);
        var value = parser.Value(0);
        parser.SkipWhitespace();
        if (!parser.AtEnd) throw parser.Error("text after the JSON value");
        return value;
    }

    private sealed class Parser
    {
        private const int MaxDepth = 64;
        private readonly string _text;
        private readonly Func<string, Exception> _fail;
        private int _at;

        public Parser(string text, Func<string, Exception> fail)
        {
            _text = text;
            _fail = fail;
        }

        public bool AtEnd => _at >= _text.Length;

        public Exception Error(string what) => _fail($"{what} at character {_at}");

        public void SkipWhitespace()
        {
            while (_at < _text.Length && (_text[_at] == ' ' || _text[_at] == '\t' || _text[_at] == '\n' || _text[_at] == '\r')) _at++;
        }

        public object? Value(int depth)
        {
            if (depth > MaxDepth) throw Error("JSON nested too deeply");
            SkipWhitespace();
            if (AtEnd) throw Error("unexpected end of the JSON");
            char c = _text[_at];
            if (c == '{') return Object(depth);
            if (c == '[') return Array(depth);
            if (c == '"') return String();
            if (c == '-' || (c >= '0' && c <= '9')) return Number();
            if (Literal("true")) return true;
            if (Literal("false")) return false;
            if (Literal("null")) return null;
            throw Error($"unexpected '{c}'");
        }

        private List<KeyValuePair<string, object?>> Object(int depth)
        {
            var members = new List<KeyValuePair<string, object?>>();
            _at++;
            SkipWhitespace();
            if (Take('}')) return members;
            while (true)
            {
                SkipWhitespace();
                if (AtEnd || _text[_at] != '"') throw Error("expected a member name");
                var key = String();
                SkipWhitespace();
                if (!Take(':')) throw Error("expected ':'");
                members.Add(new KeyValuePair<string, object?>(key, Value(depth + 1)));
                SkipWhitespace();
                if (Take('}')) return members;
                if (!Take(',')) throw Error("expected ',' or '}'");
            }
        }

        private List<object?> Array(int depth)
        {
            var items = new List<object?>();
            _at++;
            SkipWhitespace();
            if (Take(']')) return items;
            while (true)
            {
                items.Add(Value(depth + 1));
                SkipWhitespace();
                if (Take(']')) return items;
                if (!Take(',')) throw Error("expected ',' or ']'");
            }
        }

        private string String()
        {
            _at++; // opening quote
            var builder = new StringBuilder();
            while (true)
            {
                if (AtEnd) throw Error("unterminated string");
                char c = _text[_at++];
                if (c == '"') return builder.ToString();
                if (c < 0x20) throw Error("control character in a string");
                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }
                if (AtEnd) throw Error("unterminated escape");
                char e = _text[_at++];
                switch (e)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (_at + 4 > _text.Length || !int.TryParse(_text.Substring(_at, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                            throw Error("bad \\u escape");
                        builder.Append((char)code);
                        _at += 4;
                        break;
                    default: throw Error($"bad escape '\\{e}'");
                }
            }
        }

        private decimal Number()
        {
            int start = _at;
            if (_text[_at] == '-') _at++;
            while (_at < _text.Length && "0123456789.eE+-".IndexOf(_text[_at]) >= 0) _at++;
            var token = _text.Substring(start, _at - start);
            if (!decimal.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value))
                throw Error($"bad number '{token}'");
            return value;
        }

        private bool Literal(string word)
        {
            if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0) return false;
            _at += word.Length;
            return true;
        }

        private bool Take(char c)
        {
            if (AtEnd || _text[_at] != c) return false;
            _at++;
            return true;
        }
    }
}
