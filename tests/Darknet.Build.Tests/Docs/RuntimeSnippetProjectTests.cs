using Darknet.Testing;
using System.Security;
using System.Text.RegularExpressions;
using Darknet.Build.Tests.EndToEnd;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.Docs;

/// <summary>
/// Issue 20 Must 6: the guide's ONNX Runtime and ML.NET programs as a user meets them: a new project with the packages
/// the guide names (from this machine's NuGet copy) and the item that makes the model, the guide's C# block as its
/// Program.cs, and `dotnet run` from the project's folder (where a relative "yolov3.onnx" was not found).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RuntimeSnippetProjectTests
{
    private readonly EndToEndFixture _fixture;

    public RuntimeSnippetProjectTests(EndToEndFixture fixture) => _fixture = fixture;

    private static string Guide => File.ReadAllText(Path.Combine(PackedPackage.RepositoryRoot(), "docs", "guide.md")).ReplaceLineEndings("\n");

    /// <summary>The guide's one C# block that holds every one of <paramref name="parts"/>.</summary>
    private static string CsharpBlock(params string[] parts)
    {
        var blocks = Regex.Matches(Guide, @"^```csharp\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).Where(code => parts.All(p => code.Contains(p, StringComparison.Ordinal))).ToList();
        Assert.Single(blocks);
        return blocks[0];
    }

    /// <summary>The version the guide gives a package, in its PackageReference lines.</summary>
    private static string VersionOf(string package)
    {
        var versions = Regex.Matches(Guide, "<PackageReference Include=\"" + Regex.Escape(package) + "\" Version=\"([^\"]+)\"")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Single(versions);
        return versions[0];
    }

    /// <summary>"ONNX Runtime" under "Running the network in .NET": the session opens yolov3.onnx beside the program and prints its outputs.</summary>
    [Fact]
    public void The_guides_onnx_runtime_program_runs_under_dotnet_run()
    {
        var program = CsharpBlock("new InferenceSession(Path.Combine(AppContext.BaseDirectory, \"yolov3.onnx\"), options)");
        // yolov3-tiny under the name the program opens: the loopback mirror serves its (synthetic) weights in seconds.
        var run = RunProject("OnnxRuntimeSnippet", program,
            $"""<DarknetModel Include="yolov3-tiny" Format="onnx" OutputName="yolov3" Sha256="{_fixture.Tiny.Sha256}" />""",
            _fixture.ServeTiny("snippet-ort"), "Microsoft.ML.OnnxRuntime");

        Assert.Contains("yolo_16 [1, 255, 13, 13]", run.Output);
        Assert.Contains("yolo_23 [1, 255, 26, 26]", run.Output);
    }

    /// <summary>"ML.NET, on detections": ApplyOnnxModel on yolov4-tiny's detections export, with the three packages the guide names.</summary>
    [Fact]
    public void The_guides_ml_net_program_runs_under_dotnet_run()
    {
        var block = CsharpBlock("ApplyOnnxModel", "yolov4-tiny.onnx");
        // The block takes `pixels` from the one before it ("as above"): a black letterboxed image here, after the usings.
        var lines = block.Split('\n').ToList();
        var firstStatement = lines.FindIndex(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal));
        lines.Insert(firstStatement, "float[] pixels = new float[1 * 3 * 416 * 416];");
        var weights = SyntheticWeights.ForBuiltIn("yolov4-tiny");
        _fixture.Server.Serve("snippet-mlnet/" + weights.FileName, weights.Bytes);

        RunProject("MlNetSnippet", string.Join('\n', lines),
            $"""<DarknetModel Include="yolov4-tiny" Format="onnx" OnnxOutputs="detections" Sha256="{weights.Sha256}" />""",
            _fixture.Server.Url("snippet-mlnet/"), "Microsoft.ML.OnnxRuntime", "Microsoft.ML", "Microsoft.ML.OnnxTransformer");
    }

    private DotnetResult RunProject(string name, string program, string item, string mirror, params string[] packages)
    {
        var project = _fixture.CreateProject(name, _fixture.NewDirectory(name + "-cache"), item, $"<DarknetMirror>{mirror}</DarknetMirror>");
        var references = string.Concat(packages.Select(p => $"""<PackageReference Include="{p}" Version="{VersionOf(p)}" />""" + "\n"));
        File.WriteAllText(project.ProjectPath, File.ReadAllText(project.ProjectPath).Replace(
            "<PackageReference Include=\"Darknet.Build\"", references + "<PackageReference Include=\"Darknet.Build\"", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(project.Directory, "Program.cs"), program);
        // The packed feed, and this machine's NuGet copy for the runtimes' packages (restored into the fixture's folder).
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(project.Directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="e2e" value="{SecurityElement.Escape(_fixture.FeedDirectory)}" />
                <add key="machine" value="{SecurityElement.Escape(globalPackages)}" />
              </packageSources>
            </configuration>
            """);

        var run = DotnetCli.Run(project.Directory, new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = _fixture.PackagesDirectory,
            ["DARKNET_CACHE_DIR"] = project.CacheDirectory,
        }, "run", "-nodeReuse:false");

        Succeeded(run);
        return run;
    }
}
