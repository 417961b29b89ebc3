using System.Diagnostics;
using System.Globalization;
using Darknet.Build.Tests.EndToEnd;
using Darknet.Build.Tests.Infrastructure;
using Darknet.Weights;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Adoption;

/// <summary>
/// Must 1: a user outside the repo follows the README: pack (done by <see cref="CleanClone"/>), a nuget.config with the
/// artifacts folder, a new console app that references the packages, builds with a local model and reads it back.
/// </summary>
[Collection(CleanCloneCollection.Name)]
public sealed class GettingThePackagesTests
{
    private readonly CleanClone _clone;

    public GettingThePackagesTests(CleanClone clone) => _clone = clone;

    [Fact]
    public void The_readme_pack_commands_make_every_package_with_the_readme_version_and_no_warning()
    {
        Assert.True(_clone.PackResult.ExitCode == 0, _clone.PackResult.ToString());
        Assert.DoesNotContain("warning", _clone.PackResult.Output, StringComparison.OrdinalIgnoreCase);
        var version = _clone.ReadmeVersion;
        Assert.Equal("0.1.0", version);
        var files = Directory.GetFiles(_clone.Artifacts).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(new[]
        {
            $"Darknet.Build.{version}.nupkg",
            // The tool: the package `dotnet tool install` asks for, pointing at a native build for linux-x64 and a
            // portable one for the rest (with its symbols).
            $"Darknet.Cli.{version}.nupkg", $"Darknet.Cli.any.{version}.nupkg", $"Darknet.Cli.any.{version}.snupkg",
            $"Darknet.Cli.linux-x64.{version}.nupkg",
            $"Darknet.Weights.{version}.nupkg", $"Darknet.Weights.{version}.snupkg",
        }, files);
    }

    [Fact]
    public void A_new_console_app_outside_the_repo_builds_with_the_packages_and_reads_its_model()
    {
        var root = _clone.NewDirectory("user");
        var environment = new Dictionary<string, string>
        {
            // A packages folder of its own: no stale Darknet.* 0.1.0 from an earlier run can be used.
            ["NUGET_PACKAGES"] = Path.Combine(root, "packages"),
            ["DARKNET_CACHE_DIR"] = Path.Combine(root, "darknet-cache"),
        };
        File.WriteAllText(Path.Combine(root, "nuget.config"), _clone.NugetConfig(_clone.Artifacts));
        var created = DotnetCli.Run(root, environment, "new", "console", "-o", "App", "-n", "App");
        Assert.True(created.ExitCode == 0, created.ToString());
        var app = Path.Combine(root, "App");

        // The model a user has on disk: HelloDarknet's small cfg and weights, copied out of the clone.
        Directory.CreateDirectory(Path.Combine(app, "model"));
        foreach (var file in new[] { "hello.cfg", "hello.weights" })
            File.Copy(Path.Combine(_clone.Repo, "samples", "HelloDarknet", "model", file), Path.Combine(app, "model", file));
        var version = _clone.ReadmeVersion;
        var project = Path.Combine(app, "App.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", $"""
              <ItemGroup>
                <PackageReference Include="Darknet.Build" Version="{version}" PrivateAssets="all" />
                <PackageReference Include="Darknet.Weights" Version="{version}" />
                <DarknetModel Include="hello" Config="model/hello.cfg" WeightsFile="model/hello.weights" />
              </ItemGroup>
            </Project>
            """));
        // The README's snippet, for this model.
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Darknet.Weights;

            var model = ModelFile.Load(Path.Combine(AppContext.BaseDirectory, "hello.npy"));
            foreach (ModelLayer layer in model.Layers)
                Console.WriteLine($"{layer.Name} {layer.Weights}");
            BatchNorm bn = model["conv_1"].BatchNorm!;
            Console.WriteLine($"conv_1 gamma {bn.Gamma.Length} {bn.Gamma.Span[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
            Console.WriteLine($"conv_3 biases {model["conv_3"].Biases}");
            """);

        var run = DotnetCli.Run(app, environment, "run", "-p:DarknetOffline=true", "-nodeReuse:false");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("conv_1 (3, 3, 3, 8)", run.Output);
        Assert.Contains("conv_2 (3, 3, 8, 16)", run.Output);
        Assert.Contains("conv_3 (1, 1, 16, 10)", run.Output);
        Assert.Contains("conv_3 biases (10,)", run.Output);
        // The app read the file the build put beside it; reading it here gives the same value.
        var output = Path.Combine(app, "bin", "Debug", "net10.0", "hello.npy");
        var gamma = ModelFile.Load(output)["conv_1"].BatchNorm!.Gamma;
        Assert.Contains($"conv_1 gamma 8 {gamma.Span[0].ToString("R", CultureInfo.InvariantCulture)}", run.Output);
        // Restored from the artifacts folder, at the README's version.
        Assert.True(Directory.Exists(Path.Combine(root, "packages", "darknet.build", version)));
        Assert.True(Directory.Exists(Path.Combine(root, "packages", "darknet.weights", version)));
    }

    [Fact]
    public void The_tool_installs_from_the_artifacts_folder_and_runs()
    {
        var command = _clone.InstallTool(_clone.NewDirectory("tool"));

        // On linux-x64 the command is the native build itself: no runtime start, no JIT (the `any` package elsewhere).
        var file = new FileInfo(command);
        var target = file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file.FullName;
        if (System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier == "linux-x64")
        {
            Assert.Contains(Path.Combine("darknet.cli.linux-x64", _clone.ReadmeVersion, "tools", "any", "linux-x64", "darknet"), target);
            Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(target)!, "darknet.dll")), target);
            Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, File.ReadAllBytes(target).Take(4).ToArray());
        }
        var version = ProcessRun.Run(command, "--version");
        Assert.True(version.Exit == 0, version.ToString());
        Assert.StartsWith($"darknet {_clone.ReadmeVersion} (commit {_clone.Commit.Substring(0, 7)}, .NET ", version.Output);
        var help = ProcessRun.Run(command, "convert", "--help");
        Assert.Equal(0, help.Exit);
        foreach (var model in Darknet.Weights.Models.ModelCatalog.All) Assert.Contains(model.Name, help.Output);
    }
}
