using System.Runtime.CompilerServices;
using Microsoft.Build.Evaluation;
using Xunit;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// The repo's build/Darknet.Build.props and .targets evaluated in process with the SDK's MSBuild (found by the locator):
/// item defaults, properties, the task assembly choice, and the targets' hooks. No package, no process: fast.
/// </summary>
public sealed class TargetsEvaluationTests
{
    [Fact]
    public void ItemDefaultsPropertiesAndTargets()
    {
        Evaluate();
    }

    // Separate method: Microsoft.Build types may only be touched after the locator registered the SDK's MSBuild.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Evaluate()
    {
        var build = Path.Combine(PackedPackage.RepositoryRoot(), "build");
        var directory = Directory.CreateTempSubdirectory("darknet-eval-").FullName;
        try
        {
            var path = Path.Combine(directory, "eval.proj");
            File.WriteAllText(path, $"""
                <Project>
                  <Import Project="{build}/Darknet.Build.props" />
                  <ItemGroup>
                    <DarknetModel Include="yolov3" />
                    <DarknetModel Include="mynet" As="EmbeddedResource" Format="npz" CopyToOutputDirectory="Always" />
                  </ItemGroup>
                  <Import Project="{build}/Darknet.Build.targets" />
                </Project>
                """);
            using var collection = new ProjectCollection();
            var project = collection.LoadProject(path);

            var items = project.GetItems("DarknetModel").ToDictionary(i => i.EvaluatedInclude);
            Assert.Equal("Content", items["yolov3"].GetMetadataValue("As"));
            Assert.Equal("npy", items["yolov3"].GetMetadataValue("Format"));
            Assert.Equal("PreserveNewest", items["yolov3"].GetMetadataValue("CopyToOutputDirectory"));
            Assert.Equal("", items["yolov3"].GetMetadataValue("LogicalName"));
            Assert.Equal("EmbeddedResource", items["mynet"].GetMetadataValue("As"));
            Assert.Equal("npz", items["mynet"].GetMetadataValue("Format"));
            Assert.Equal("Always", items["mynet"].GetMetadataValue("CopyToOutputDirectory"));

            Assert.Equal("false", project.GetPropertyValue("DarknetOffline"));
            Assert.Equal("false", project.GetPropertyValue("DarknetAllowHttp"));
            Assert.Equal("60", project.GetPropertyValue("DarknetStallTimeout"));
            Assert.Equal("true", project.GetPropertyValue("DarknetAcquireInBackground"));
            // dotnet build is MSBuild on .NET ("Core"), here 18.9 or later: the net10.0 task assembly (thread-safe for -mt).
            Assert.EndsWith(Path.Combine("tasks", "net10.0", "Darknet.Build.dll"),
                Path.GetFullPath(project.GetPropertyValue("DarknetTasksAssembly").Replace('\\', '/')));

            var resolve = project.Targets["DarknetResolveModels"];
            Assert.Contains("AssignTargetPaths", resolve.BeforeTargets);
            Assert.Contains("CollectUpToDateCheckInputDesignTime", resolve.BeforeTargets);
            var acquire = project.Targets["DarknetAcquireModels"];
            Assert.Contains("DesignTimeBuild", acquire.Condition);
            Assert.Contains("_DarknetStampFile", acquire.Inputs);
            Assert.Equal("@(_DarknetResolvedModel)", acquire.Outputs);
            // The background acquire is joined before this project's copy to bin/ and before a referencing project or
            // publish reads the files.
            var wait = project.Targets["DarknetWaitForModels"];
            Assert.Contains("DesignTimeBuild", wait.Condition);
            Assert.Contains("DarknetAcquireModels", wait.DependsOnTargets);
            foreach (var hook in new[] { "GetCopyToOutputDirectoryItems", "GetCopyToPublishDirectoryItems", "_CopyOutOfDateSourceItemsToOutputDirectory" })
                Assert.Contains(hook, wait.BeforeTargets);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void TasksAssemblyCanBeOverridden()
    {
        EvaluateOverride();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EvaluateOverride()
    {
        var build = Path.Combine(PackedPackage.RepositoryRoot(), "build");
        using var collection = new ProjectCollection(new Dictionary<string, string> { ["DarknetTasksAssembly"] = "/somewhere/Darknet.Build.dll" });
        var directory = Directory.CreateTempSubdirectory("darknet-eval-").FullName;
        try
        {
            var path = Path.Combine(directory, "eval.proj");
            File.WriteAllText(path, $"""<Project><Import Project="{build}/Darknet.Build.props" /><Import Project="{build}/Darknet.Build.targets" /></Project>""");
            Assert.Equal("/somewhere/Darknet.Build.dll", collection.LoadProject(path).GetPropertyValue("DarknetTasksAssembly"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
