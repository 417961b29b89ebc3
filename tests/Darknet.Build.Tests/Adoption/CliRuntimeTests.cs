using System.IO.Compression;
using System.Text.Json;
using Darknet.Build.Tests.EndToEnd;
using Xunit;

namespace Darknet.Build.Tests.Adoption;

/// <summary>Must 8: the tool's net8.0 build (in the portable Darknet.Cli.any package) runs on whatever runtime from 8 on is installed (here: only .NET 10).</summary>
[Collection(CleanCloneCollection.Name)]
public sealed class CliRuntimeTests
{
    private readonly CleanClone _clone;

    public CliRuntimeTests(CleanClone clone) => _clone = clone;

    [Fact]
    public void The_net8_build_rolls_forward_to_a_newer_major_runtime()
    {
        var dir = _clone.NewDirectory("net8-tool");
        using (var zip = ZipFile.OpenRead(Path.Combine(_clone.Artifacts, $"Darknet.Cli.any.{_clone.ReadmeVersion}.nupkg")))
            foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("tools/net8.0/any/", StringComparison.Ordinal)))
                entry.ExtractToFile(Path.Combine(dir, entry.Name));

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "darknet.runtimeconfig.json")));
        var options = config.RootElement.GetProperty("runtimeOptions");
        Assert.Equal("net8.0", options.GetProperty("tfm").GetString());
        Assert.Equal("Major", options.GetProperty("rollForward").GetString());

        var run = DotnetCli.Run(dir, new Dictionary<string, string>(), Path.Combine(dir, "darknet.dll"), "--version");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"darknet {_clone.ReadmeVersion} (commit ", run.Output);
        var major = int.Parse(System.Text.RegularExpressions.Regex.Match(run.Output, @", \.NET (\d+)\.").Groups[1].Value);
        // Without an 8.x runtime on the machine (as here), it ran on a newer major one: that is the roll-forward.
        var runtimes = Directory.GetParent(Path.GetDirectoryName(typeof(object).Assembly.Location)!)!.GetDirectories();
        if (!runtimes.Any(r => r.Name.StartsWith("8.", StringComparison.Ordinal))) Assert.True(major > 8, run.Output);
        else Assert.True(major >= 8, run.Output);
    }
}
