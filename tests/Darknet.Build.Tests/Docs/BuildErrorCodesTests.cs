using System.Reflection;
using System.Text.RegularExpressions;
using Darknet.Build.Tests.EndToEnd;
using Darknet.Cache;
using Xunit;

namespace Darknet.Build.Tests.Docs;

/// <summary>
/// Every BuildErrorCodes constant is raised somewhere in src/Darknet.Build or src/Darknet.Cache and has a row (cause and fix) in the README's
/// error table; the README lists no DKN4xxx/DKN5xxx code that does not exist.
/// </summary>
public sealed class BuildErrorCodesTests
{
    private static readonly IReadOnlyDictionary<string, string> Codes = typeof(BuildErrorCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

    private static string Repo => PackedPackage.RepositoryRoot();

    private static ISet<string> DocumentedCodes(string relativePath) =>
        Regex.Matches(File.ReadAllText(Path.Combine(Repo, relativePath)), @"^\|\s*(DKN\d{4})\s*\|", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet();

    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        Assert.NotEmpty(Codes);
        Assert.All(Codes.Values, code => Assert.Matches(@"^DKN[45]\d{3}$", code));
        Assert.Equal(Codes.Count, Codes.Values.Distinct().Count());
    }

    [Fact]
    public void Every_code_is_raised_by_the_build_sources()
    {
        var sources = new[] { "Darknet.Build", "Darknet.Cache" }
            .SelectMany(project => Directory.GetFiles(Path.Combine(Repo, "src", project), "*.cs", SearchOption.AllDirectories))
            .Where(f => Path.GetFileName(f) != "BuildErrorCodes.cs" && !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar))
            .Select(File.ReadAllText)
            .ToList();
        var unused = Codes.Keys.Where(name => !sources.Any(s => Regex.IsMatch(s, @"BuildErrorCodes\." + name + @"\b"))).ToList();
        Assert.True(unused.Count == 0, "constants no code raises (dead codes confuse users): " + string.Join(", ", unused));
    }

    [Fact]
    public void Readme_lists_every_code_and_no_other()
    {
        var documented = DocumentedCodes("README.md");
        Assert.Empty(Codes.Values.Except(documented).Order());
        Assert.Empty(documented.Where(c => c.StartsWith("DKN4") || c.StartsWith("DKN5")).Except(Codes.Values).Order());
    }
}
