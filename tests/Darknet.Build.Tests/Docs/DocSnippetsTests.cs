using System.Collections;
using System.Text.RegularExpressions;
using Darknet.Build.Tasks;
using Darknet.Build.Tests.EndToEnd;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Microsoft.Build.Framework;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Docs;

/// <summary>
/// The code blocks of the README, CONTRIBUTING and docs/*.md against the code they stand for: every C# block is code a
/// test compiles (a sample, a test, <see cref="GuideSnippets"/>), every DarknetModel item is one the build accepts, every
/// package version one the repository builds with, every `darknet` command line one the tool takes, every Darknet
/// property a package file reads, and every Python block compiles. Blocks without a language are output, not code.
/// </summary>
public sealed class DocSnippetsTests
{
    private static string Repo => PackedPackage.RepositoryRoot();

    private sealed record Block(string Document, int Line, string Language, string Code)
    {
        public override string ToString() => $"{Document}:{Line} ({Language})";
    }

    private static IReadOnlyList<Block> Blocks()
    {
        var documents = new[] { "README.md", "CONTRIBUTING.md" }
            .Concat(Directory.GetFiles(Path.Combine(Repo, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)).Order(StringComparer.Ordinal));
        var blocks = new List<Block>();
        foreach (var document in documents)
        {
            var text = File.ReadAllText(Path.Combine(Repo, document)).ReplaceLineEndings("\n");
            foreach (Match m in Regex.Matches(text, @"^(?<indent> *)```(?<language>\w*)\n(?<code>.*?)^ *```", RegexOptions.Multiline | RegexOptions.Singleline))
            {
                var indent = m.Groups["indent"].Length;
                var code = string.Join('\n', m.Groups["code"].Value.Split('\n').Select(l => l.Length >= indent && l[..indent].Trim().Length == 0 ? l[indent..] : l));
                blocks.Add(new Block(document, text[..m.Index].Count(c => c == '\n') + 1, m.Groups["language"].Value, code));
            }
        }
        Assert.NotEmpty(blocks);
        return blocks;
    }

    private static IEnumerable<Block> BlocksIn(params string[] languages) => Blocks().Where(b => languages.Contains(b.Language));

    [Fact]
    public void Every_code_block_is_in_a_language_these_tests_check()
    {
        var others = Blocks().Where(b => b.Language.Length > 0 && !new[] { "csharp", "xml", "sh", "yaml", "python" }.Contains(b.Language));
        Assert.Empty(others.Select(b => b.ToString()));
    }

    [Fact]
    public void Every_csharp_block_is_code_a_test_compiles()
    {
        var sources = new[] { "samples", "tests" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(Repo, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !Regex.IsMatch(f, @"[\\/](bin|obj)[\\/]"))
            .ToDictionary(f => Path.GetRelativePath(Repo, f), f => File.ReadAllLines(f).Select(l => l.Trim()).ToArray());
        var blocks = BlocksIn("csharp").ToList();
        Assert.True(blocks.Count >= 7, $"only {blocks.Count} C# blocks found");
        var missing = blocks.Where(b => !sources.Values.Any(source => IsRunsOf(b.Code, source))).Select(b => b.ToString()).ToList();
        Assert.True(missing.Count == 0, "C# blocks that no sample or test holds line for line: " + string.Join(", ", missing));
    }

    /// <summary>Each paragraph of the block is a run of the source's lines, or usings the source has.</summary>
    private static bool IsRunsOf(string code, string[] source) =>
        code.Split("\n\n").Select(p => p.Trim('\n').Split('\n').Select(l => l.Trim()).ToArray()).Where(p => p.Any(l => l.Length > 0))
            .All(paragraph => Enumerable.Range(0, Math.Max(0, source.Length - paragraph.Length + 1)).Any(i => source.Skip(i).Take(paragraph.Length).SequenceEqual(paragraph))
                              || paragraph.All(l => l.StartsWith("using ", StringComparison.Ordinal) && source.Contains(l)));

    [Fact]
    public void Every_DarknetModel_item_is_one_the_build_accepts()
    {
        using var project = new TempDirectory("darknet-docs");
        var sample = Path.Combine(Repo, "samples", "HelloDarknet", "model");
        var items = BlocksIn("xml")
            .SelectMany(b => Regex.Matches(b.Code, @"<DarknetModel\s(?<attributes>[^>]*?)/>", RegexOptions.Singleline).Select(m => (Block: b, Attributes: m.Groups["attributes"].Value)))
            .ToList();
        Assert.True(items.Count >= 15, $"only {items.Count} DarknetModel items found");
        var refused = new List<string>();
        foreach (var (block, attributes) in items)
        {
            var metadata = Regex.Matches(attributes, @"(?<name>\w+)=""(?<value>[^""]*)""").ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
            if (metadata.TryGetValue("Sha256", out var pin) && pin == "…64 hex digits…") metadata["Sha256"] = new string('0', 64);
            // The files an item names, where the build would look for them: a small model's, whatever the names say.
            foreach (var (key, from) in new[] { ("Config", "hello.cfg"), ("WeightsFile", "hello.weights") })
                if (metadata.TryGetValue(key, out var file) && !file.Contains("://"))
                    Copy(Path.Combine(sample, from), project.Combine(file));
            if (metadata.TryGetValue("Names", out var names))
                Write(project.Combine(names), "a\n");
            var include = metadata["Include"];
            metadata.Remove("Include");
            try
            {
                ModelRequest.FromDarknetModel(new Item(include, metadata), project.Combine("obj"), project.Path);
            }
            catch (DarknetException e)
            {
                refused.Add($"{block}: <DarknetModel {attributes.Trim()} />: {e.Code}: {e.Message}");
            }
        }
        Assert.True(refused.Count == 0, string.Join("\n", refused));
    }

    [Fact]
    public void The_readmes_HelloDarknet_item_is_the_samples()
    {
        var shown = BlocksIn("xml").Where(b => b.Document == "README.md").Select(b => b.Code.Trim())
            .Single(c => c.StartsWith("<DarknetModel Include=\"hello\"", StringComparison.Ordinal));
        var project = File.ReadAllLines(Path.Combine(Repo, "samples", "HelloDarknet", "HelloDarknet.csproj")).Select(l => l.Trim());
        Assert.Contains(shown, project);
    }

    [Fact]
    public void Every_package_version_is_one_the_repository_builds_with()
    {
        var projects = new[] { "samples", "tests" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(Repo, d), "*.csproj", SearchOption.AllDirectories))
            .Select(File.ReadAllText).ToList();
        var readmeVersion = Regex.Match(File.ReadAllText(Path.Combine(Repo, "README.md")), @"<PackageReference Include=""Darknet\.Build"" Version=""([^""]+)""").Groups[1].Value;
        Assert.NotEmpty(readmeVersion);
        var wrong = new List<string>();
        foreach (var block in BlocksIn("xml"))
            foreach (Match reference in Regex.Matches(block.Code, @"<PackageReference Include=""(?<id>[^""]+)"" Version=""(?<version>[^""]+)"""))
            {
                var id = reference.Groups["id"].Value;
                var version = reference.Groups["version"].Value;
                var known = id.StartsWith("Darknet.", StringComparison.Ordinal)
                    ? version == readmeVersion
                    : projects.Any(p => p.Contains($"Include=\"{id}\" Version=\"{version}\"", StringComparison.Ordinal));
                if (!known) wrong.Add($"{block}: {id} {version}");
            }
        Assert.True(wrong.Count == 0, "package versions no project of the repository uses: " + string.Join(", ", wrong));
    }

    [Fact]
    public void Every_darknet_command_line_is_one_the_tool_takes()
    {
        var lines = CommandLines("darknet").ToList();
        Assert.True(lines.Count >= 20, $"only {lines.Count} darknet command lines found");
        var wrong = new List<string>();
        foreach (var (block, words) in lines)
        {
            if (words.Length < 2 || words[1].StartsWith('-')) continue; // darknet --help, --version
            var command = words[1];
            var help = new StringWriter();
            var exit = Darknet.Cli.Program.Run(new[] { command, "--help" }, help, new StringWriter());
            if (exit != 0)
            {
                wrong.Add($"{block}: {string.Join(' ', words)}: '{command} --help' exits {exit}");
                continue;
            }
            // darknet cache's help lists its subcommands (path, list, verify, clean) with the options of each.
            var named = words.Where(w => w.StartsWith("--", StringComparison.Ordinal));
            if (command == "cache" && words.Length > 2) named = named.Prepend(words[2]);
            foreach (var word in named)
                if (!Regex.IsMatch(help.ToString(), @"(?<![\w-])" + Regex.Escape(word) + @"\b"))
                    wrong.Add($"{block}: {string.Join(' ', words)}: '{command} --help' does not list {word}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Every_Darknet_property_a_command_line_sets_is_one_the_package_reads()
    {
        var package = string.Concat(Directory.GetFiles(Path.Combine(Repo, "build")).Select(File.ReadAllText));
        var properties = CommandLines("dotnet")
            .SelectMany(l => l.Words.Select(w => Regex.Match(w, @"^-p:(?<name>Darknet\w*)=")).Where(m => m.Success).Select(m => (l.Block, Name: m.Groups["name"].Value)))
            .ToList();
        Assert.True(properties.Count >= 4, $"only {properties.Count} Darknet properties set on command lines");
        var unknown = properties.Where(p => !package.Contains("$(" + p.Name + ")", StringComparison.Ordinal)).Select(p => $"{p.Block}: {p.Name}").ToList();
        Assert.True(unknown.Count == 0, "properties the package's props and targets never read: " + string.Join(", ", unknown));
    }

    /// <summary>The shell lines (sh and yaml blocks) that run <paramref name="tool"/>, split into words, comments and environment assignments dropped.</summary>
    private static IEnumerable<(Block Block, string[] Words)> CommandLines(string tool) =>
        BlocksIn("sh", "yaml").SelectMany(b => b.Code.Split('\n')
            .Select(l => Regex.Replace(l, @"^\s*(-\s+)?(run:\s+)?", ""))
            .Select(l => Regex.Replace(l, @"\s+#.*$", ""))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => Regex.IsMatch(w, @"^[A-Z_]+=")).ToArray())
            .Where(w => w.Length > 0 && w[0] == tool)
            .Select(w => (b, w)));

    [SkippableFact]
    public void Every_python_block_compiles()
    {
        using var temp = new TempDirectory("darknet-docs");
        var files = BlocksIn("python").Select((b, i) =>
        {
            var file = temp.Combine($"block{i}.py");
            File.WriteAllText(file, b.Code);
            return file;
        }).ToArray();
        Assert.True(files.Length >= 2, $"only {files.Length} Python blocks found");
        Darknet.Testing.Numpy.RunScript("import sys\nfor f in sys.argv[1:]:\n    compile(open(f).read(), f, 'exec')\n", files);
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>An item as MSBuild hands it to the task: its identity and metadata, "" for metadata it lacks.</summary>
    private sealed class Item : ITaskItem
    {
        private readonly Dictionary<string, string> _metadata;

        public Item(string itemSpec, Dictionary<string, string> metadata)
        {
            ItemSpec = itemSpec;
            _metadata = new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase);
        }

        public string ItemSpec { get; set; }
        public ICollection MetadataNames => _metadata.Keys.ToList();
        public int MetadataCount => _metadata.Count;
        public string GetMetadata(string metadataName) => _metadata.TryGetValue(metadataName, out var value) ? value : "";
        public void SetMetadata(string metadataName, string metadataValue) => _metadata[metadataName] = metadataValue;
        public void RemoveMetadata(string metadataName) => _metadata.Remove(metadataName);
        public void CopyMetadataTo(ITaskItem destinationItem)
        {
            foreach (var (name, value) in _metadata) destinationItem.SetMetadata(name, value);
        }
        public IDictionary CloneCustomMetadata() => new Dictionary<string, string>(_metadata);
    }
}
