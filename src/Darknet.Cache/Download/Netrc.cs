using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Darknet.Cache.Download;

/// <summary>
/// A .netrc file, read as curl and pip read it: <c>Netrc.Parse(text).For("mirror.example.org")</c> gives the first
/// <c>machine</c> entry of that host (case-insensitive, any port), else the <c>default</c> entry, else null.
/// The grammar: tokens separated by spaces, tabs and newlines; <c>machine NAME</c> and <c>default</c> start an entry,
/// <c>login NAME</c>, <c>password STRING</c> and <c>account STRING</c> belong to the current one; <c>macdef NAME</c> is
/// followed by lines up to the next empty line, skipped; keywords in any case (as curl); a token starting with '#' comments out the rest of its line;
/// a value may be "quoted", with \" \\ \n \r \t escapes (curl 7.84 and later). Unknown tokens are skipped.
/// Hand-written: .NET has no netrc reader, and the grammar is a page long.
/// </summary>
internal sealed class Netrc
{
    /// <summary>An entry's credentials; <see cref="Machine"/> is null for the <c>default</c> entry.</summary>
    internal sealed class Entry
    {
        public Entry(string? machine, string login, string password)
        {
            Machine = machine;
            Login = login;
            Password = password;
        }

        public string? Machine { get; }
        public string Login { get; }
        public string Password { get; }

        public override string ToString() => Machine == null ? "default" : "machine " + Machine;   // never the secrets
    }

    public static readonly Netrc Empty = new Netrc(new List<Entry>());

    private readonly List<Entry> _entries;

    private Netrc(List<Entry> entries)
    {
        _entries = entries;
    }

    public IReadOnlyList<Entry> Entries => _entries;

    /// <summary>The first <c>machine</c> entry for <paramref name="host"/>, else the <c>default</c> entry, else null.</summary>
    public Entry? For(string host)
    {
        foreach (var entry in _entries)
            if (entry.Machine != null && string.Equals(entry.Machine, host, StringComparison.OrdinalIgnoreCase))
                return entry;
        foreach (var entry in _entries)
            if (entry.Machine == null)
                return entry;
        return null;
    }

    /// <summary>
    /// The file to read: the NETRC environment variable when set, else ~/.netrc, else ~/_netrc (the name Windows tools
    /// use), where ~ is HOME or the user profile. Null when there is no home directory.
    /// </summary>
    public static string? DefaultPath(Func<string, string?> environment)
    {
        var named = environment("NETRC");
        if (!string.IsNullOrEmpty(named)) return named;
        var home = environment("HOME");
        if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home)) return null;
        var dotted = Path.Combine(home!, ".netrc");
        var underscored = Path.Combine(home!, "_netrc");
        return !File.Exists(dotted) && File.Exists(underscored) ? underscored : dotted;
    }

    /// <summary>The file's entries; an absent or unreadable file has none (as curl: no credentials, no error).</summary>
    public static Netrc Load(string? path)
    {
        if (string.IsNullOrEmpty(path)) return Empty;
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
        {
            return Empty;
        }
    }

    public static Netrc Parse(string text)
    {
        var entries = new List<Entry>();
        var reader = new Tokenizer(text);
        string? machine = null, login = null, password = null;
        var inEntry = false;

        void Close()
        {
            if (inEntry && (login != null || password != null)) entries.Add(new Entry(machine, login ?? "", password ?? ""));
            inEntry = false;
            machine = login = password = null;
        }

        string? token;
        while ((token = reader.Next()) != null)
        {
            switch (token.ToLowerInvariant())
            {
                case "machine":
                    Close();
                    machine = reader.Next();
                    inEntry = machine != null;
                    break;
                case "default":
                    Close();
                    inEntry = true;
                    break;
                case "login":
                    var value = reader.Next();
                    if (inEntry && login == null) login = value;
                    break;
                case "password":
                    var secret = reader.Next();
                    if (inEntry && password == null) password = secret;
                    break;
                case "account":
                    reader.Next();
                    break;
                case "macdef":
                    Close();
                    reader.Next();
                    reader.SkipMacro();
                    break;
            }
        }
        Close();
        return new Netrc(entries);
    }

    private sealed class Tokenizer
    {
        private readonly string _text;
        private int _at;

        public Tokenizer(string text)
        {
            _text = text;
        }

        public string? Next()
        {
            while (true)
            {
                while (_at < _text.Length && char.IsWhiteSpace(_text[_at])) _at++;
                if (_at >= _text.Length) return null;
                if (_text[_at] != '#') break;
                while (_at < _text.Length && _text[_at] != '\n') _at++;
            }
            if (_text[_at] == '"') return Quoted();
            var start = _at;
            while (_at < _text.Length && !char.IsWhiteSpace(_text[_at])) _at++;
            return _text.Substring(start, _at - start);
        }

        private string Quoted()
        {
            var value = new StringBuilder();
            _at++;
            while (_at < _text.Length && _text[_at] != '"')
            {
                var c = _text[_at++];
                if (c == '\\' && _at < _text.Length)
                {
                    var escaped = _text[_at++];
                    c = escaped == 'n' ? '\n' : escaped == 'r' ? '\r' : escaped == 't' ? '\t' : escaped;
                }
                value.Append(c);
            }
            _at++;   // the closing quote
            return value.ToString();
        }

        /// <summary>A macdef's body: the rest of its line and every line up to an empty one.</summary>
        public void SkipMacro()
        {
            while (_at < _text.Length && _text[_at] != '\n') _at++;
            while (_at < _text.Length)
            {
                _at++;   // past '\n'
                var lineEnd = _text.IndexOf('\n', _at);
                if (lineEnd < 0) lineEnd = _text.Length;
                var line = _text.Substring(_at, lineEnd - _at).TrimEnd('\r');
                _at = lineEnd;
                if (line.Length == 0) return;
            }
        }
    }
}
