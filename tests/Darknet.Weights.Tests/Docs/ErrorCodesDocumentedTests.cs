using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace Darknet.Weights.Tests.Docs;

/// <summary>Every library ErrorCodes constant (DKN1xxx–3xxx) has a row in the README's error table, and the table lists no other such code.</summary>
public class ErrorCodesDocumentedTests
{
    [SkippableFact]
    public void The_readme_table_lists_every_library_code_and_no_other()
    {
        var readme = FindReadme();
        Skip.If(readme is null, "README.md is not above the test assembly (the tests run outside the repository)");
        var codes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var documented = Regex.Matches(File.ReadAllText(readme!), @"^\|\s*(DKN[123]\d{3})\s*\|", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Equal(codes.Order(), documented.Order());
    }

    private static string? FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Darknet.Build.sln"))) return Path.Combine(dir.FullName, "README.md");
        return null;
    }
}
