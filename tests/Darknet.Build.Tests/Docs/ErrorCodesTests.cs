using System.Reflection;
using System.Text.RegularExpressions;
using Darknet.Build.Tasks;
using Darknet.Build.Tests.EndToEnd;
using Darknet.Weights;
using Xunit;

namespace Darknet.Build.Tests.Docs;

/// <summary>
/// The one registry (Darknet.Weights' ErrorCodes, with the tasks' own DKN5xxx in TaskErrorCodes) against the one error table
/// of the docs: every code has a row (cause and fix), the table lists no code that does not exist, and every cache, download
/// and task code is raised somewhere in src/.
/// </summary>
public sealed class ErrorCodesTests
{
    private static readonly IReadOnlyList<(string Registry, string Name, string Code)> Codes = new[] { typeof(ErrorCodes), typeof(TaskErrorCodes) }
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (t.Name, f.Name, (string)f.GetRawConstantValue()!)))
        .ToList();

    private static string Repo => PackedPackage.RepositoryRoot();

    /// <summary>The file that holds the error table: the README, or docs/reference.md once the reference moves there.</summary>
    private static string TableFile()
    {
        var candidates = new[] { "README.md", Path.Combine("docs", "reference.md") }
            .Select(p => Path.Combine(Repo, p))
            .Where(p => File.Exists(p) && Regex.IsMatch(File.ReadAllText(p), @"^\|\s*DKN\d{4}\s*\|", RegexOptions.Multiline))
            .ToList();
        Assert.True(candidates.Count == 1, "exactly one of README.md and docs/reference.md holds the DKN error table: " + string.Join(", ", candidates));
        return candidates[0];
    }

    private static ISet<string> DocumentedCodes() =>
        Regex.Matches(File.ReadAllText(TableFile()), @"^\|\s*(DKN\d{4})\s*\|", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet();

    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        Assert.NotEmpty(Codes);
        Assert.All(Codes, c => Assert.Matches(c.Registry == nameof(TaskErrorCodes) ? @"^DKN5\d{3}$" : @"^DKN[1-4]\d{3}$", c.Code));
        var cacheAndTask = Codes.Where(c => c.Code.StartsWith("DKN4") || c.Code.StartsWith("DKN5")).ToList();
        Assert.Equal(cacheAndTask.Count, cacheAndTask.Select(c => c.Code).Distinct().Count());
    }

    [Fact]
    public void Every_cache_download_and_task_code_is_raised_by_the_sources()
    {
        var sources = Directory.GetFiles(Path.Combine(Repo, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).EndsWith("ErrorCodes.cs") &&
                        !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar))
            .Select(File.ReadAllText)
            .ToList();
        var unused = Codes.Where(c => c.Code.StartsWith("DKN4") || c.Code.StartsWith("DKN5"))
            .Where(c => !sources.Any(s => Regex.IsMatch(s, @"\b" + c.Registry + @"\." + c.Name + @"\b")))
            .Select(c => c.Name).ToList();
        Assert.True(unused.Count == 0, "constants no code raises (dead codes confuse users): " + string.Join(", ", unused));
    }

    [Fact]
    public void The_error_table_lists_every_code_and_no_other()
    {
        var codes = Codes.Select(c => c.Code).ToHashSet();
        var documented = DocumentedCodes();
        Assert.Empty(codes.Except(documented).Order());
        Assert.Empty(documented.Except(codes).Order());
    }
}
