using System.Text.RegularExpressions;
using Darknet.Build.Tests.EndToEnd;
using Xunit;

namespace Darknet.Build.Tests.Docs;

/// <summary>
/// Every relative link of the README, CONTRIBUTING, the changelog and docs/*.md points to a file of the repository and,
/// with a #fragment into a Markdown file, to one of its headings as GitHub names them.
/// </summary>
public sealed class DocLinksTests
{
    private static string Repo => PackedPackage.RepositoryRoot();

    public static IEnumerable<object[]> Documents() =>
        new[] { "README.md", "CONTRIBUTING.md", "CHANGELOG.md" }
            .Concat(Directory.GetFiles(Path.Combine(PackedPackage.RepositoryRoot(), "docs"), "*.md")
                .Select(f => "docs/" + Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_resolves(string document)
    {
        var path = Path.Combine(Repo, document);
        Assert.True(File.Exists(path), document + " does not exist");
        var links = Links(File.ReadAllText(path)).ToList();
        var broken = new List<string>();
        foreach (var link in links)
        {
            var hash = link.IndexOf('#');
            var file = hash < 0 ? link : link.Substring(0, hash);
            var fragment = hash < 0 ? "" : link.Substring(hash + 1);
            var target = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(file)));
            if (!File.Exists(target) && !Directory.Exists(target))
                broken.Add(link + ": no such file");
            else if (fragment.Length > 0 && target.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(target)).Contains(fragment))
                broken.Add(link + ": no such heading in " + Path.GetRelativePath(Repo, target));
        }
        Assert.True(broken.Count == 0, document + ": " + string.Join("; ", broken));
    }

    [Fact]
    public void Anchors_are_named_as_GitHub_names_them()
    {
        var anchors = Anchors("# Guide\n## Cache tooling: `darknet cache`, `darknet fetch`\n## Running the network in .NET\n## Guide\n```\n# not a heading\n```\n");
        Assert.Equal(new[] { "cache-tooling-darknet-cache-darknet-fetch", "guide", "guide-1", "running-the-network-in-net" }, anchors.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "docs/guide.md#x", "#y" }, Links("[a](docs/guide.md#x) [b](#y) [c](https://example.org/) `[d](e.md)`\n```\n[f](g.md)\n```\n"));
    }

    /// <summary>The relative link targets of a Markdown text, outside code blocks and code spans.</summary>
    private static IEnumerable<string> Links(string markdown) =>
        Regex.Matches(WithoutCode(markdown), @"\]\(([^)\s]+)\)")
            .Select(m => m.Groups[1].Value)
            .Where(t => !Regex.IsMatch(t, @"^[a-zA-Z][a-zA-Z0-9+.-]*:"));

    /// <summary>The heading anchors of a Markdown text: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    private static ISet<string> Anchors(string markdown)
    {
        var seen = new Dictionary<string, int>();
        var anchors = new HashSet<string>();
        foreach (Match heading in Regex.Matches(FencedBlock().Replace(markdown.ReplaceLineEndings("\n"), ""), @"^#{1,6} +(.+?) *$", RegexOptions.Multiline))
        {
            var anchor = Regex.Replace(heading.Groups[1].Value.ToLowerInvariant(), @"[^\p{L}\p{N}_\- ]", "").Replace(' ', '-');
            seen.TryGetValue(anchor, out var count);
            seen[anchor] = count + 1;
            anchors.Add(count == 0 ? anchor : anchor + "-" + count);
        }
        return anchors;
    }

    private static string WithoutCode(string markdown) =>
        Regex.Replace(FencedBlock().Replace(markdown.ReplaceLineEndings("\n"), ""), "`[^`\n]*`", "");

    private static Regex FencedBlock() => new(@"^ *```.*?^ *```", RegexOptions.Multiline | RegexOptions.Singleline);
}
