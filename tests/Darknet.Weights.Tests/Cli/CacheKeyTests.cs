using System.Text.RegularExpressions;
using Darknet.Weights.Models;
using Xunit;

namespace Darknet.Weights.Tests.Cli;

/// <summary>
/// Issue 19, Must 7 (d): `darknet cache key` prints one key for a CI cache from the weights the project pins; it changes
/// when a pin changes and not otherwise, and docs/fleet.md's actions/cache recipe runs it as the CLI takes it.
/// </summary>
public sealed class CacheKeyTests : IDisposable
{
    private const string PinA = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string PinB = "2222222222222222222222222222222222222222222222222222222222222222";
    private readonly string _directory = Directory.CreateTempSubdirectory("darknet-cache-key").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Project(string items, string name = "App.csproj")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                {items}
              </ItemGroup>
            </Project>
            """);
        return path;
    }

    private static string Key(params string[] args)
    {
        var (exit, stdout, stderr) = CliRunner.Run(new[] { "cache", "key" }.Concat(args).ToArray());
        Assert.True(exit == 0, stderr);
        var key = stdout.TrimEnd('\n');
        Assert.Matches("^darknet-weights-[0-9a-f]{32}$", key);
        return key;
    }

    [Fact]
    public void The_key_follows_the_pins_and_nothing_else()
    {
        var pinned = Key(Project($"""<DarknetModel Include="mynet" Config="my.cfg" WeightsUrl="https://example.org/my.weights" Sha256="{PinA}" />"""));

        // Another file, other names, metadata as elements, other output settings, the digest's case: the same pins.
        var same = Key(Project($"""
            <DarknetModel Include="renamed" Config="other.cfg" WeightsUrl="https://mirror.example.org/my.weights" Format="npz">
              <Sha256>{PinA.ToUpperInvariant()}</Sha256>
              <OutputName>x</OutputName>
            </DarknetModel>
            """, "Other.csproj"));
        Assert.Equal(pinned, same);
        Assert.Equal(pinned, Key("--sha256", PinA));

        Assert.NotEqual(pinned, Key(Project($"""<DarknetModel Include="mynet" Config="my.cfg" WeightsUrl="https://example.org/my.weights" Sha256="{PinB}" />""")));
        Assert.NotEqual(pinned, Key("--sha256", PinA + "," + PinB));
        Assert.Equal(Key("--sha256", PinA + "," + PinB), Key("--sha256", PinB + "," + PinA));
    }

    [Fact]
    public void A_built_in_without_a_pin_is_keyed_by_its_published_digests_and_a_pin_replaces_them()
    {
        var yolov3 = ModelCatalog.Find("yolov3")!;
        Assert.NotEmpty(yolov3.AcceptedSha256);
        var published = Key(Project("""<DarknetModel Include="yolov3" />"""));
        Assert.Equal(published, Key("--model", "yolov3"));
        Assert.Equal(published, Key("--model", "yolov3,yolov3"));
        if (yolov3.AcceptedSha256.Count == 1) Assert.Equal(published, Key("--sha256", yolov3.AcceptedSha256[0]));

        Assert.NotEqual(published, Key(Project($"""<DarknetModel Include="yolov3" Sha256="{PinA}" />""")));
        Assert.NotEqual(published, Key(Project("""<DarknetModel Include="yolov3" /><DarknetModel Include="yolov3-tiny" />""")));
        Assert.Equal(Key("--model", "yolov3,yolov3-tiny"), Key(Project("""<DarknetModel Include="yolov3-tiny" /><DarknetModel Include="yolov3" Format="onnx" />""")));
    }

    [Fact]
    public void Nothing_to_key_is_a_usage_error_and_an_unknown_model_its_code()
    {
        var none = CliRunner.Run("cache", "key");
        Assert.Equal(2, none.Exit);
        Assert.Contains(ErrorCodes.BadCommandLine, none.Stderr);
        var empty = CliRunner.Run("cache", "key", Project(""));
        Assert.Equal(2, empty.Exit);
        Assert.Contains("has no <DarknetModel> item", empty.Stderr);
        var unknown = CliRunner.Run("cache", "key", "--model", "yolov99");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains(ErrorCodes.UnknownBuiltInModel, unknown.Stderr);
        var bad = CliRunner.Run("cache", "key", "--sha256", "abc");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("is not a SHA-256", bad.Stderr);
    }

    /// <summary>docs/fleet.md's actions/cache step: the command in its `$(…)`, run as written against a project, prints the key.</summary>
    [SkippableFact]
    public void The_fleet_docs_cache_key_step_runs_the_command_as_the_cli_takes_it()
    {
        var root = FindRepository();
        Skip.If(root == null, "the tests run outside the repository");
        var fleet = File.ReadAllText(Path.Combine(root!, "docs", "fleet.md")).ReplaceLineEndings("\n");
        var step = Regex.Match(fleet, @"```yaml\n(?<code>(?:(?!```).)*darknet cache key(?:(?!```).)*)```", RegexOptions.Singleline);
        Assert.True(step.Success, "docs/fleet.md has no yaml block running `darknet cache key`");
        var command = Regex.Match(step.Groups["code"].Value, @"\$\((?<command>darknet cache key[^)]*)\)");
        Assert.True(command.Success, "the block runs `darknet cache key` outside $(…)");
        Assert.Contains("key: ${{ steps.", step.Groups["code"].Value, StringComparison.Ordinal);
        var words = command.Groups["command"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var project = words.Skip(3).FirstOrDefault(w => w.EndsWith(".csproj", StringComparison.Ordinal));
        Assert.NotNull(project);
        var path = Project($"""<DarknetModel Include="yolov3-tiny" Sha256="{PinA}" />""", Path.GetFileName(project));
        var args = words.Skip(1).Select(w => w == project ? path : w).ToArray();
        Assert.Equal(Key("--sha256", PinA), Key(args.Skip(2).ToArray()));
    }

    private static string? FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Darknet.Build.sln"))) return dir.FullName;
        return null;
    }
}
