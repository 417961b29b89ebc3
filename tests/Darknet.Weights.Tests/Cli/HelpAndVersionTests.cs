using Darknet.Weights.Models;
using Xunit;

namespace Darknet.Weights.Tests.Cli;

/// <summary>`darknet --version` and each command's `--help`, through the built darknet.dll as a real process.</summary>
public class HelpAndVersionTests
{
    [Fact]
    public void Version_prints_the_package_version_and_the_runtime()
    {
        var (exit, stdout, stderr) = CliRunner.RunProcess("--version");

        Assert.True(exit == 0, stderr);
        Assert.Matches(@"^darknet 0\.1\.0 \((commit [0-9a-f]{7}, )?\.NET \d+\.\d+\.\d+.*\)\n$", stdout);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("convert", "--help")]
    [InlineData("help", "convert")]
    [InlineData("convert", "-h")]
    public void Help_lists_every_built_in_model_from_the_catalog(params string[] args)
    {
        var (exit, stdout, stderr) = CliRunner.RunProcess(args);

        Assert.True(exit == 0, stderr);
        Assert.Contains("darknet convert --model NAME --weights_dir DIR --save_dir DIR", stdout);
        foreach (var model in ModelCatalog.All)
        {
            var line = stdout.Split('\n').SingleOrDefault(l => l.TrimStart().StartsWith(model.Name + " ", StringComparison.Ordinal));
            Assert.True(line != null, $"{model.Name} is not listed:\n{stdout}");
            Assert.Contains(model.WeightsFileName, line);
            Assert.Contains(model.WeightsSize.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes", line);
            Assert.Contains("-> " + model.OutputName + ".npy", line);
            foreach (var alias in model.Aliases) Assert.Contains(alias, line);
        }
    }

    [Theory]
    [InlineData("inspect", "--help")]
    [InlineData("help", "inspect")]
    public void Inspect_help_says_what_it_prints(params string[] args)
    {
        var (exit, stdout, _) = CliRunner.RunProcess(args);

        Assert.Equal(0, exit);
        Assert.StartsWith("usage:\n  darknet inspect FILE.npy|FILE.npz|FILE.safetensors\n", stdout);
        Assert.Contains("Prints each layer's name and array shapes", stdout);
    }
}
