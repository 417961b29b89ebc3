using System.Diagnostics;
using System.Text.RegularExpressions;
using Darknet.Build.Tests.EndToEnd;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Adoption;

[CollectionDefinition(Name)]
public sealed class CleanCloneCollection : ICollectionFixture<CleanClone>
{
    public const string Name = "CleanClone";
}

/// <summary>
/// The README's "Getting the packages", step 1, done once per run: `git clone` of this repository (its committed
/// state) into a temporary folder, then the README's own `dotnet pack` lines, run there as written.
/// </summary>
public sealed class CleanClone : IDisposable
{
    private readonly TempDirectory _root = new("darknet-clone");
    private int _directories;

    public CleanClone()
    {
        Repo = _root.Combine("Darknet.Build");
        Git(_root.Path, "clone", "--quiet", "--no-hardlinks", PackedPackage.RepositoryRoot(), Repo);
        Commit = Git(Repo, "rev-parse", "HEAD").Trim();
        Readme = File.ReadAllText(Path.Combine(Repo, "README.md"));

        // Each line in order, as a user pastes them; the first failure ends it (PackResult is that one's).
        var packs = PackCommands(Readme);
        DotnetResult? result = null;
        foreach (var pack in packs)
        {
            Assert.Equal("dotnet", pack[0]);
            result = DotnetCli.Run(Repo, new Dictionary<string, string>(), pack.Skip(1).ToArray());
            if (result.ExitCode != 0) break;
        }
        PackResult = result!;
        var first = packs[0];
        Artifacts = Path.Combine(Repo, first[Array.IndexOf(first, "-o") + 1]);
        Assert.All(packs, pack => Assert.Equal(first[Array.IndexOf(first, "-o") + 1], pack[Array.IndexOf(pack, "-o") + 1]));
    }

    public string Repo { get; }
    public string Commit { get; }
    public string Readme { get; }
    public DotnetResult PackResult { get; }
    public string Artifacts { get; }

    /// <summary>The version the README tells users to reference: <c>Version="…"</c> of its Darknet.Build line.</summary>
    public string ReadmeVersion => Regex.Match(Readme, @"<PackageReference Include=""Darknet\.Build"" Version=""([^""]+)""").Groups[1].Value;

    /// <summary>
    /// The README's install line, into <paramref name="root"/>/tools (<c>--tool-path</c>, and a packages folder of its own
    /// so no stale package of that version is used); returns the installed command.
    /// </summary>
    public string InstallTool(string root)
    {
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(root, "packages") };
        var tools = Path.Combine(root, "tools");
        var install = DotnetCli.Run(root, environment, "tool", "install", "Darknet.Cli", "--tool-path", tools,
            "--add-source", Artifacts, "--version", ReadmeVersion);
        Assert.True(install.ExitCode == 0, install.ToString());
        return Path.Combine(tools, "darknet");
    }

    /// <summary>A folder outside the clone.</summary>
    public string NewDirectory(string name)
    {
        var path = _root.Combine("outside", name + "-" + Interlocked.Increment(ref _directories));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The `dotnet pack …` lines of the README's "Getting the packages" section, in order, split into words.</summary>
    public static string[][] PackCommands(string readme)
    {
        var section = Section(readme, "## Getting the packages");
        var lines = section.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("dotnet pack ", StringComparison.Ordinal) && !l.Contains("-p:Version")).ToArray();
        Assert.NotEmpty(lines);
        return lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
    }

    /// <summary>The README's nuget.config snippet, with its placeholder replaced by <paramref name="artifacts"/>.</summary>
    public string NugetConfig(string artifacts)
    {
        var section = Section(Readme, "## Getting the packages");
        var xml = Regex.Match(section, @"```xml\n(?<xml>.*?)```", RegexOptions.Singleline).Groups["xml"].Value;
        var lines = xml.Split('\n').Select(l => l.StartsWith("   ", StringComparison.Ordinal) ? l.Substring(3) : l);
        var config = string.Join('\n', lines);
        Assert.Contains("/path/to/Darknet.Build/artifacts", config);
        return config.Replace("/path/to/Darknet.Build/artifacts", artifacts);
    }

    public static string Section(string readme, string heading)
    {
        int start = readme.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has no section " + heading);
        int end = readme.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? readme.Substring(start) : readme.Substring(start, end - start);
    }

    private static string Git(string directory, params string[] args)
    {
        var result = ProcessRun.Run(new ProcessRun.Options { WorkingDirectory = directory }, "git", args);
        if (result.Exit != 0) throw new InvalidOperationException($"git {string.Join(' ', args)}: {result.Stderr}");
        return result.Stdout;
    }

    public void Dispose() => _root.Dispose();
}
