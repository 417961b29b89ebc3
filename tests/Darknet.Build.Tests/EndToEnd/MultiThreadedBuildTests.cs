using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 20 Must 6: `dotnet build -mt` (MSBuild 18's multi-threaded mode, several projects in one process) runs the
/// tasks in the build's own process, as thread-safe tasks, not in the task host MSBuild falls back to for the others;
/// and each project's acquire step reads its own environment and folder through MSBuild's TaskEnvironment.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class MultiThreadedBuildTests
{
    private static readonly string[] Tasks = { "ResolveDarknetModels", "AcquireDarknetModels", "WaitForDarknetModels", "ShowDarknetModelProgress" };

    private readonly EndToEndFixture _fixture;

    public MultiThreadedBuildTests(EndToEndFixture fixture) => _fixture = fixture;

    /// <summary>
    /// Two projects of one solution with a relative DARKNET_CACHE_DIR: under -mt the process's current directory is
    /// the solution's for every project, so each project's cache is found only if the path is made absolute against the
    /// project's folder (TaskEnvironment), as MSBuild's classic mode does by setting the current directory per project.
    /// </summary>
    [Fact]
    public void A_multi_threaded_build_runs_the_tasks_in_its_own_process_with_each_projects_environment()
    {
        var mirror = _fixture.ServeTiny("multithreaded");
        var root = _fixture.NewDirectory("multithreaded");
        var names = new[] { "ThreadedA", "ThreadedB" };
        var projects = names.Select(name => _fixture.CreateProject(name, "relative-cache",
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""",
            $"<DarknetMirror>{mirror}</DarknetMirror>", Path.Combine(root, name))).ToList();
        TestProject.WriteNuGetConfig(_fixture, root);
        File.WriteAllText(Path.Combine(root, "all.slnx"),
            "<Solution>\n" + string.Concat(names.Select(n => $"  <Project Path=\"{n}/{n}.csproj\" />\n")) + "</Solution>\n");
        var buildPid = 0;

        var built = DotnetCli.Run(root, new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = _fixture.PackagesDirectory,
            ["DARKNET_CACHE_DIR"] = "relative-cache",
        }, new[] { "build", "all.slnx", "-mt", "-nodeReuse:false", "--disable-build-servers", "-v:diag" }, pid => buildPid = pid);

        Succeeded(built);
        // The mode was on: MSBuild sent the SDK's own tasks that are not thread-safe to a task host.
        Assert.Matches(ExternalTaskHost(), built.Output);
        foreach (var task in Tasks)
            Assert.DoesNotMatch(new Regex("Launching task \"" + task + "\" from assembly .* in an external task host"), built.Output);
        Assert.Contains("tasks/net10.0/Darknet.Build.dll", built.Output.Replace('\\', '/'), StringComparison.Ordinal);
        // Both acquire steps ran in the dotnet process itself (no node, no task host).
        var pids = AcquirePid().Matches(built.Output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.Equal(buildPid, pid));

        foreach (var project in projects)
        {
            Assert.True(File.Exists(Path.Combine(project.BinDirectory, "yolov3-tiny.npy")), project.Name + "\n" + built);
            Assert.NotEmpty(FilesUnder(Path.Combine(project.Directory, "relative-cache", "weights")));
        }
        Assert.False(Directory.Exists(Path.Combine(root, "relative-cache")), "a cache in the solution's folder: the process's current directory was used");
        Assert.Equal(2, _fixture.Server.RequestCount("multithreaded/yolov3-tiny.weights"));
    }

    [GeneratedRegex("Launching task \"[A-Za-z]+\" from assembly .* in an external task host")]
    private static partial Regex ExternalTaskHost();

    [GeneratedRegex(@"Darknet: acquire step in process (\d+)")]
    private static partial Regex AcquirePid();
}
